from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from linli.core.datafiles import open_text
from linli.dispatch.training import Examples, read_labelled_csv
from linli.tests.test_browser import browser, page  # noqa: F401 - the browser fixtures, shared with these journeys

DATA = Path(settings.DISPATCH_BASE_TRAINING)


def sample(split: str, per_class: int, offset: int = 0) -> Examples:
    """A small, balanced, real sample of the labelled messages (train rows unless asked)."""
    taken: dict[str, int] = {}
    out = Examples([], [], [])
    rows = read_labelled_csv(DATA, split=split)
    for title, body, label in zip(rows.titles, rows.bodies, rows.labels, strict=True):
        seen = taken.get(label, 0)
        taken[label] = seen + 1
        if offset <= seen < offset + per_class:
            out.titles.append(title)
            out.bodies.append(body)
            out.labels.append(label)
    return out


# The configured messages with official replies (attachment 4), bundled with the project.
UNLABELLED = next(p for p in settings.DISPATCH_UNLABELLED if "attachment4" in p.name)


@pytest.fixture(scope="session")
def unlabelled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 150 real messages with official replies: enough for the word vectors to learn something,
    small enough that every retrain in the tests stays quick."""
    import csv

    path = tmp_path_factory.mktemp("unlabelled") / "replies.csv"
    with open_text(UNLABELLED) as src, path.open("w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for i, row in enumerate(reader):
            if i >= 150:
                break
            writer.writerow(row)
    return path


@pytest.fixture(autouse=True)
def small_unlabelled_corpus(settings: Any, unlabelled_file: Path) -> None:
    settings.DISPATCH_UNLABELLED = [unlabelled_file]


@pytest.fixture(scope="session")
def train_sample() -> Examples:
    return sample("train", 60)


@pytest.fixture(scope="session")
def held_sample() -> Examples:
    return sample("train", 30, offset=60)


@pytest.fixture(scope="session")
def fitted(train_sample: Examples) -> Any:
    """One classifier fitted on the sample for the whole session; tests that promote it reuse it."""
    from linli.dispatch.textmodel import TextClassifier

    return TextClassifier().fit(train_sample.titles, train_sample.bodies, train_sample.labels)


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.DISPATCH_MODEL_DIR = tmp_path / "models"
    settings.DISPATCH_MODEL_CHECK_SECONDS = 0
    from linli.dispatch import registry

    registry.forget()
    registry._state.update(row=None, classifier=None)
    return settings.DISPATCH_MODEL_DIR
