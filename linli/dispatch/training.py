"""Training data for the dispatch model, and the held-out slice a new model is judged on."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from linli.core.datafiles import open_text
from linli.orgs.choices import MatterClass

from .models import TrainingExample
from .textmodel import read_unlabelled

HELD_OUT_SHARE = 0.2
MIN_RECENT_HELD_OUT = 200
# The auto-dispatch threshold must hold on each of this many parts of the held-out slice on its own,
# as the baked-in one had to hold on each CV fold (bench/dispatch_research.md).
HELD_OUT_PARTS = 5


@dataclass
class Examples:
    titles: list[str]
    bodies: list[str]
    labels: list[str]
    # Held-out slices only: which of HELD_OUT_PARTS parts each row belongs to. Empty means "by a hash of
    # the text" (`part_of_each`).
    parts: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.labels)

    def part_of_each(self) -> list[int]:
        if len(self.parts) == len(self):
            return self.parts
        # Not consecutive runs: the base file is sorted by class, so a run would be a part of one class.
        return [
            _hash_byte("part", title, body) % HELD_OUT_PARTS
            for title, body in zip(self.titles, self.bodies, strict=True)
        ]

    def extend(self, other: Examples) -> None:
        self.titles += other.titles
        self.bodies += other.bodies
        self.labels += other.labels


def read_labelled_csv(
    path: Path,
    split: str | None = "train",
    text_cols: tuple[str, str] = ("留言主题", "留言详情"),
    label_col: str = "一级标签",
) -> Examples:
    """Rows of a labelled file; with `split`, only rows of that split (never the test rows for fitting)."""
    examples = Examples([], [], [])
    with open_text(path, encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if split is not None and "split" in row and row["split"] != split:
                continue
            examples.titles.append(row.get(text_cols[0], "") or "")
            examples.bodies.append(row.get(text_cols[1], "") or "" if len(text_cols) > 1 else "")
            examples.labels.append(row[label_col])
    return examples


def base_examples() -> Examples:
    path = Path(settings.DISPATCH_BASE_TRAINING)
    if not path.exists():
        return Examples([], [], [])
    return read_labelled_csv(path, split="train")


def _hash_byte(purpose: str, title: str, body: str) -> int:
    """A byte fixed by the message and the purpose: the same rows land in the same slice or part every time."""
    return hashlib.sha256(f"linli-dispatch-{purpose}|{title}|{body}".encode()).digest()[0]


def _in_held_out_slice(title: str, body: str) -> bool:
    # A fixed hash slice, so the same base rows are held out every time and models stay comparable.
    return _hash_byte("heldout", title, body) < 256 * HELD_OUT_SHARE


def split_for_retraining() -> tuple[Examples, Examples, str]:
    """(train, held-out, how the held-out slice was chosen).

    Recent cases are what the model will face next, so when there are enough corrections the newest
    fifth of them is held out; before that, a fixed hash slice of the base data is.
    """
    base = base_examples()
    recent = list(
        TrainingExample.objects.filter(label__in=MatterClass.values)
        .order_by("created_at", "id")
        .values_list("title", "body", "label")
    )
    train, held = Examples([], [], []), Examples([], [], [])
    if len(recent) * HELD_OUT_SHARE >= MIN_RECENT_HELD_OUT:
        cut = int(len(recent) * (1 - HELD_OUT_SHARE))
        train.extend(base)
        for i, (title, body, label) in enumerate(recent):
            target = train if i < cut else held
            target.titles.append(title)
            target.bodies.append(body)
            target.labels.append(label)
        # Consecutive stretches of time: the threshold has to hold in each, not only on average.
        held.parts = [i * HELD_OUT_PARTS // len(held) for i in range(len(held))]
        return train, held, f"newest {len(recent) - cut} corrections"
    for title, body, label in [*zip(base.titles, base.bodies, base.labels, strict=True), *recent]:
        target = held if _in_held_out_slice(title, body) else train
        target.titles.append(title)
        target.bodies.append(body)
        target.labels.append(label)
    return train, held, "fixed hash slice of base data and corrections"


def unlabelled_texts(exclude: Examples | None = None) -> list[str]:
    """The configured unlabelled messages, minus any that repeat a message in `exclude`."""
    held = exclude if exclude is not None else Examples([], [], [])
    return read_unlabelled(settings.DISPATCH_UNLABELLED, exclude_titles=held.titles, exclude_bodies=held.bodies)
