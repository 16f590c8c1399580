"""The scope matrix's checks for the deliberation pages: the topic list shows exactly the topics in reach
(by their data-topic marks) and no outside marker; a topic's page, a meeting's page and its minutes document
answer 404 out of reach. Registered in matrix_checks.READ_PATHS."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .matrix_checks import DENIED, HIDDEN, Probe, _detail, _leaks, _pk_map, _sample


def topic_list(probe: Probe, url: str) -> None:
    _leaks(probe, url)
    response = probe.client.get(url, {"page": 1})
    if response.status_code != 200:
        probe.check(response.status_code in DENIED, f"GET {url} → {response.status_code}")
        return
    shown = {int(pk) for pk in re.findall(r'data-topic="(\d+)"', response.content.decode())}
    must, never = probe.want("participation.topic")
    for pk in must:
        probe.check(pk in shown, f"GET {url}: topic#{pk} inside, not listed")
    for pk in never:
        probe.check(pk not in shown, f"GET {url}: topic#{pk} outside, listed")


def topic_page(probe: Probe, u: Callable[..., str]) -> None:
    _detail(probe, "participation.topic", lambda o: u(pk=o.pk))
    for pk in sorted(_sample(probe, probe.want("participation.topic")[0], probe.per_side)):
        _leaks(probe, u(pk=pk))


def meeting_document(probe: Probe, u: Callable[..., str]) -> None:
    """Out of reach 404; in reach the document, or 404 when no document was attached."""
    must, never = probe.want("participation.meeting")
    meetings = _pk_map("participation.meeting")
    for pk in sorted(_sample(probe, must, probe.per_side) | _sample(probe, never, probe.per_side)):
        status = probe.client.get(u(pk=pk)).status_code
        if pk in never:
            probe.check(status in HIDDEN | DENIED, f"GET {u(pk=pk)} (meeting#{pk} outside) → {status}")
        else:
            ok = status == 200 if meetings[pk].minutes_file else status in HIDDEN | {200}
            probe.check(ok, f"GET {u(pk=pk)} (meeting#{pk} inside) → {status}")


TOPIC_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "participation:topic_list": lambda p, u: topic_list(p, u()),
    "participation:topic_new": lambda p, u: _leaks(p, u()),
    "participation:topic_detail": topic_page,
    "participation:meeting_new": lambda p, u: _detail(p, "participation.topic", lambda o: u(pk=o.pk)),
    "participation:meeting_detail": lambda p, u: _detail(p, "participation.meeting", lambda o: u(pk=o.pk)),
    "participation:meeting_document": meeting_document,
}

__all__: list[Any] = ["TOPIC_READ_PATHS"]
