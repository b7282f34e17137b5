"""Read the report table (``<table id="report-table">``) out of a page, as the user sees it."""

from __future__ import annotations

from html.parser import HTMLParser


class _TableParser(HTMLParser):
    def __init__(self, table_id: str):
        super().__init__(convert_charrefs=True)
        self.table_id = table_id
        self.depth = 0  # >0 while inside the wanted table
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.links: list[list[str | None]] = []
        self._cell: list[str] | None = None
        self._link: str | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (self.depth or attrs.get("id") == self.table_id):
            self.depth += 1
            return
        if not self.depth:
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
            self.links.append([])
        elif tag in ("td", "th"):
            self._cell, self._link = [], None
        elif tag == "a" and self._cell is not None and self._link is None:
            self._link = attrs.get("href")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_head:
                self.headers.append(text)
            else:
                self.rows[-1].append(text)
                self.links[-1].append(self._link)
            self._cell = None

    def handle_data(self, data):
        if self.depth and self._cell is not None:
            self._cell.append(data)


def parse_table(html: str, table_id: str = "report-table") -> _TableParser:
    """``.headers``, ``.rows`` (cell texts) and ``.links`` (first href per cell) of the table."""
    parser = _TableParser(table_id)
    parser.feed(html)
    return parser
