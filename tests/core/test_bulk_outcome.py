"""Every bulk admin action (records' review, alerts, report snapshots) reports its outcome the same way:
the count done, at most ten refusals one by one and the rest counted, or that nothing could be done."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from backoffice.core.admin_review import report_bulk_outcome


def _messages(**kwargs) -> list[tuple[str, str]]:
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    report_bulk_outcome(request, **kwargs)
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_done_and_refusals_beyond_ten_are_counted():
    errors = [f"第 {i} 条：已关闭" for i in range(12)]
    shown = _messages(done=3, errors=errors, verb="解除", unit="条预警")
    assert shown[0] == ("success", "已解除 3 条预警。")
    assert [text for level, text in shown[1:11]] == errors[:10]
    assert shown[11] == ("error", "另有 2 条预警未能解除。")
    assert len(shown) == 12


def test_nothing_selected_could_be_acted_on():
    assert _messages(done=0, errors=[], verb="锁定", unit="份快照") == [
        ("warning", "所选快照中没有可以锁定的。")
    ]
