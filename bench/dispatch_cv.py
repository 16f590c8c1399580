"""Grouped cross-validation of the dispatch classifier on the train split: the harness every research round used.

Run from the repository root:

    .venv/bin/python bench/dispatch_cv.py                               # the shipped settings, calibrated
    .venv/bin/python bench/dispatch_cv.py --try 'C1={"C": 1.0}' --try 'no-vectors={"embedding_weight": 0}'
    .venv/bin/python bench/dispatch_cv.py --reference --seed 1 --json cv.json

Each `--try NAME=JSON` is a set of `TextClassifier` parameters over the shipped ones, scored uncalibrated (argmax
of the SVM scores) on out-of-fold predictions; without `--try` the shipped pipeline is scored as it ships,
calibration nested inside each fold, with log-loss and the auto-dispatch threshold `choose_threshold` picks on the
out-of-fold probabilities (every fold must reach the target too). `--seed` picks another partition into folds:
a change is worth keeping only if it holds on more than one. Repeat postings (identical title+body) never
straddle folds.

The test split is never scored here: its messages are read only to keep them out of the unlabelled corpus
(attachments 3 and 4), and each fold's validation messages are kept out of it too. The one test-split figure
comes from `manage.py dispatch_evaluate`. The rounds of research that used this harness, with their own
scripts, are in bench/dispatch_research.md (scripts at git tag `dispatch-research-rounds`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from linli.dispatch.textmodel import (  # noqa: E402
    DEFAULT_PARAMS,
    ReferenceClassifier,
    TextClassifier,
    choose_threshold,
    read_unlabelled,
    threshold_report,
)
from linli.dispatch.training import read_labelled_csv  # noqa: E402

TARGET_PRECISION = 0.97


def load(split: str) -> tuple[list[str], list[str], list[str]]:
    rows = read_labelled_csv(Path(settings.DISPATCH_BASE_TRAINING), split=split)
    return rows.titles, rows.bodies, rows.labels


def folds(
    titles: list[str], bodies: list[str], labels: list[str], seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped 5-fold CV partition; `seed` 0 is the usual one, other seeds give partitions that fell otherwise."""
    key = ["".join((t + "|" + b).split()) for t, b in zip(titles, bodies, strict=True)]
    groups = np.unique(key, return_inverse=True)[1]
    splitter = StratifiedGroupKFold(5, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels, groups))


def fold_index(cv: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
    """Which fold of `cv` holds each of the n rows out."""
    fold = np.zeros(n, dtype=int)
    for k, (_train_idx, test_idx) in enumerate(cv):
        fold[test_idx] = k
    return fold


def oof_proba(
    make: Any,
    t: list[str],
    b: list[str],
    y: list[str],
    cv: list[Any],
    unlabelled: list[Path] | None = None,
    held_back: tuple[list[str], list[str]] = ([], []),
) -> tuple[np.ndarray, list[str]]:
    """Out-of-fold probabilities; `held_back` (titles, bodies) are messages no fold may learn from."""
    classes = sorted(set(y))
    out = np.zeros((len(y), len(classes)))
    # Configurations without word vectors ignore unlabelled text: do not read it five times for nothing.
    uses_vectors = make().params.get("embedding_weight", 0) > 0
    for train_idx, test_idx in cv:
        extra = (
            read_unlabelled(
                unlabelled,
                exclude_titles=[*held_back[0], *(t[i] for i in test_idx)],
                exclude_bodies=[*held_back[1], *(b[i] for i in test_idx)],
            )
            if unlabelled and uses_vectors
            else []
        )
        model = make().fit(
            [t[i] for i in train_idx], [b[i] for i in train_idx], [y[i] for i in train_idx], unlabelled=extra
        )
        p = model.predict_proba_batch([t[i] for i in test_idx], [b[i] for i in test_idx])
        cols = [classes.index(c) for c in model.classes_]
        out[np.ix_(test_idx, cols)] = p
    return out, classes


def scores(proba: np.ndarray, classes: list[str], y: list[str]) -> dict[str, float]:
    pred = [classes[i] for i in proba.argmax(axis=1)]
    return {"macro_f1": float(f1_score(y, pred, average="macro")), "accuracy": float(accuracy_score(y, pred))}


def parse_try(value: str) -> tuple[str, dict[str, Any]]:
    name, _eq, params = value.partition("=")
    parsed = json.loads(params or "{}")
    TextClassifier(**parsed)  # unknown parameter names fail here, before minutes of fitting
    return name, parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--try", dest="tries", type=parse_try, action="append", default=[], metavar="NAME=JSON")
    parser.add_argument("--seed", type=int, default=0, help="which partition into folds (0: the usual one)")
    parser.add_argument("--reference", action="store_true", help="also score the plain reference")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args()
    report: dict[str, Any] = {"params": dict(DEFAULT_PARAMS), "seed": args.seed}
    unlabelled = list(settings.DISPATCH_UNLABELLED)

    t, b, y = load("train")
    cv = folds(t, b, y, args.seed)
    test_titles, test_bodies, _ = load("test")  # only to keep them out of the unlabelled corpus
    held_back = (test_titles, test_bodies)
    print(f"train rows {len(y)}, grouped 5-fold CV, partition {args.seed}", flush=True)

    if args.reference:
        started = time.perf_counter()
        p, classes = oof_proba(ReferenceClassifier, t, b, y, cv)
        report["reference"] = {**scores(p, classes, y), "seconds": round(time.perf_counter() - started)}
        print(f"reference (char 1-3, LinearSVC C=0.5): {report['reference']}", flush=True)

    report["tries"] = []
    for name, params in args.tries:
        started = time.perf_counter()
        p, classes = oof_proba(
            lambda params=params: TextClassifier(**{**params, "calibration": "none"}),
            t,
            b,
            y,
            cv,
            unlabelled,
            held_back,
        )
        row = {"name": name, "params": params, **scores(p, classes, y), "seconds": round(time.perf_counter() - started)}
        report["tries"].append(row)
        print(f"{name}: macro-F1 {row['macro_f1']:.4f} accuracy {row['accuracy']:.4f} ({row['seconds']} s)", flush=True)

    if not args.tries:
        # The pipeline exactly as shipped; its calibration CV runs inside each outer training fold.
        started = time.perf_counter()
        p, classes = oof_proba(TextClassifier, t, b, y, cv, unlabelled, held_back)
        threshold = choose_threshold(p, y, classes, TARGET_PRECISION, folds=fold_index(cv, len(y)))
        report["calibrated"] = {
            **scores(p, classes, y),
            "log_loss": float(log_loss(y, np.clip(p, 1e-12, 1), labels=classes)),
            "threshold": threshold,
            "at_threshold": threshold_report(p, y, classes, threshold),
            "per_fold_at_threshold": [
                threshold_report(p[test_idx], [y[i] for i in test_idx], classes, threshold) for _tr, test_idx in cv
            ],
            "seconds": round(time.perf_counter() - started),
        }
        print(f"shipped pipeline, calibrated: {json.dumps(report['calibrated'], ensure_ascii=False)}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
