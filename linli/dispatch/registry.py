"""Which model serves, loaded once per process and swapped when another version is promoted.

Every `active_model()` call is cheap: the database is asked which version is active at most every
DISPATCH_MODEL_CHECK_SECONDS; a changed version is loaded from its file and replaces the old one under a
lock, so requests in flight finish on the model they started with and nothing restarts.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from .choices import ModelStatus
from .models import DispatchModel
from .textmodel import ModelRefused, TextClassifier

_lock = threading.Lock()
_state: dict[str, Any] = {"checked": 0.0, "row": None, "classifier": None}


def model_dir() -> Path:
    path = Path(settings.DISPATCH_MODEL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def active_model() -> tuple[DispatchModel | None, TextClassifier | None]:
    now = time.monotonic()
    if now - _state["checked"] < settings.DISPATCH_MODEL_CHECK_SECONDS:
        return _state["row"], _state["classifier"]
    row = DispatchModel.objects.filter(status=ModelStatus.ACTIVE).order_by("-promoted_at", "-version").first()
    current = _state["row"]
    if row is not None and (current is None or current.pk != row.pk):
        try:
            classifier: TextClassifier | None = load(row)
        except ModelRefused as exc:
            # Never serve a model this process cannot trust: take it out of service and have it retrained;
            # meanwhile decisions fall back to the keywords and go to a person.
            from .actions import refuse_model

            refuse_model(row, str(exc))
            row, classifier = None, None
        with _lock:
            _state.update(row=row, classifier=classifier)
    elif row is None:
        with _lock:
            _state.update(row=None, classifier=None)
    _state["checked"] = now
    return _state["row"], _state["classifier"]


def load(row: DispatchModel) -> TextClassifier:
    """The row's classifier; `ModelRefused` if other library versions wrote its file."""
    return TextClassifier.load(model_dir() / row.file)


def forget() -> None:
    """Make the next call look at the database again (after a promotion in this process)."""
    with _lock:
        _state.update(checked=0.0)
