"""Security tests: hostile input thrown at the importers, the rule validator and the admin forms."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

#: Values a hostile or careless user might type or paste: formulas, markup, SQL, control and bidi
#: characters, absurd numbers and dates, full-width digits, paths, very long text.
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            '=HYPERLINK("http://evil.example","点我")',
            "=cmd|' /C calc'!A0",
            "+1+1",
            "@SUM(A1:A9)",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00\x01\x1b",
            "\u202e\u200b",
            "9" * 40,
            "-1",
            "1e309",
            "NaN",
            "-0",
            "2022-02-30",
            "1899-12-31",
            "9999-99-99",
            "99999999999999999999.999",
            "１２３４",
            "../../etc/passwd",
            "测" * 600,
            "",
            " ",
        ]
    ),
)


@pytest.fixture(autouse=True)
def q_sync(settings, monkeypatch, tmp_path):
    """django-q2 runs tasks inline so an import job's dry run happens inside the test."""
    from django_q.conf import Conf

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.MEDIA_ROOT = tmp_path / "media"
