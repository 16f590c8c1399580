"""Model selection for the dispatch text classifier, then one honest test-split figure.

Run from the repository root:  .venv/bin/python bench/dispatch_research.py [--quick] [--cv-only] [--json OUT]

1. grouped 5-fold CV on the train split only (repeat postings, i.e. identical title+body, never straddle
   folds): the plain reference and a grid of TextClassifier configurations (uncalibrated, argmax);
2. out-of-fold calibrated probabilities of the chosen pipeline (calibration nested inside each fold),
   log-loss, and the auto-dispatch threshold (>= 97% correct: Wilson lower bound, and every fold);
3. one fit on all train rows, evaluation on the test split, the reference in the same run, train
   seconds, single-message latency, model file size and peak memory.

--quick skips the grid (step 1 except the reference); --cv-only stops before step 3. The test split is
read only in step 3, except that its messages are removed from the unlabelled corpus (attachments 3 and
4) before anything learns from it; inside CV each fold's own validation messages are removed as well.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from linli.dispatch.textmodel import (  # noqa: E402
    DEFAULT_PARAMS,
    ReferenceClassifier,
    TextClassifier,
    choose_threshold,
    evaluate,
    read_unlabelled,
    threshold_report,
)

DATA = Path(os.environ.get("DISPATCH_BASE_TRAINING", ROOT.parent / "shared" / "data" / "teddy2020" / "attachment2.csv"))
UNLABELLED = [DATA.parent / "attachment3.csv", DATA.parent / "attachment4.csv"]
TARGET_PRECISION = 0.97

# Configurations compared by grouped CV (calibration off: argmax of the SVM scores decides).
NO_VECTORS = {"embedding_weight": 0.0}
GRID: list[tuple[str, dict[str, Any]]] = [
    ("all-text block only, squared hinge C=1", {"title_weight": 0.0, "loss": "squared_hinge", "C": 1.0}),
    ("+ title block x0.5, squared hinge C=1", {"loss": "squared_hinge", "C": 1.0}),
    (
        "+ title block x0.5, squared hinge C=1, balanced",
        {"loss": "squared_hinge", "C": 1.0, "class_weight": "balanced"},
    ),
    ("+ title block x0.3, hinge C=1", {"title_weight": 0.3, "C": 1.0}),
    ("+ title block x0.5, hinge C=1", {"C": 1.0}),
    ("+ title block x0.7, hinge C=1", {"title_weight": 0.7, "C": 1.0}),
    ("+ title block x0.5, hinge C=0.5", {"C": 0.5}),
    ("+ title block x0.5, hinge C=2 (best without word vectors)", {}),
    ("+ title block x0.5, hinge C=1, balanced", {"C": 1.0, "class_weight": "balanced"}),
    ("+ title x0.5 + jieba word 1-2-gram block x0.3, hinge C=1", {"C": 1.0, "word_weight": 0.3}),
]
GRID = [(name, {**NO_VECTORS, **params}) for name, params in GRID] + [
    # Word vectors learnt inside each fold from the fold's training texts plus the unlabelled corpus.
    ("title x0.5, hinge C=2 + word vectors d100 x0.2", {"embedding_weight": 0.2}),
    ("title x0.5, hinge C=2 + word vectors d100 x0.3 (chosen)", {}),
    ("title x0.5, hinge C=2 + word vectors d100 x0.5", {"embedding_weight": 0.5}),
]


def load(split: str) -> tuple[list[str], list[str], list[str]]:
    titles, bodies, labels = [], [], []
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["split"] == split:
                titles.append(row["留言主题"] or "")
                bodies.append(row["留言详情"] or "")
                labels.append(row["一级标签"])
    return titles, bodies, labels


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
        # The test split and this fold's validation rows never reach the word vectors.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the configuration grid")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--cv-only", action="store_true", help="stop before step 3: do not read the test split")
    args = parser.parse_args()
    report: dict[str, Any] = {"params": {k: v for k, v in DEFAULT_PARAMS.items()}}

    t, b, y = load("train")
    cv = folds(t, b, y)
    # Test messages are only used to keep them out of the unlabelled corpus until step 3.
    test_titles, test_bodies, _ = load("test")
    held_back = (test_titles, test_bodies)
    print(f"train rows {len(y)}, grouped 5-fold CV", flush=True)

    started = time.perf_counter()
    p, classes = oof_proba(ReferenceClassifier, t, b, y, cv)
    report["cv_reference"] = scores(p, classes, y)
    print(
        f"CV reference (char 1-3, LinearSVC C=0.5): {report['cv_reference']}  {time.perf_counter() - started:.0f}s",
        flush=True,
    )

    report["cv_grid"] = []
    for name, params in [] if args.quick else GRID:
        started = time.perf_counter()
        p, classes = oof_proba(
            lambda params=params: TextClassifier(**{**params, "calibration": "none"}),
            t,
            b,
            y,
            cv,
            UNLABELLED,
            held_back,
        )
        row = {"config": name, **scores(p, classes, y), "seconds": round(time.perf_counter() - started)}
        report["cv_grid"].append(row)
        print(f"CV {name}: F1 {row['macro_f1']:.4f} acc {row['accuracy']:.4f} ({row['seconds']}s)", flush=True)

    # Calibrated pipeline exactly as shipped; calibration CV runs inside each outer training fold.
    started = time.perf_counter()
    p, classes = oof_proba(TextClassifier, t, b, y, cv, UNLABELLED, held_back)
    fold_of = fold_index(cv, len(y))
    threshold = choose_threshold(p, y, classes, TARGET_PRECISION, folds=fold_of)
    pooled_only = choose_threshold(p, y, classes, TARGET_PRECISION)
    report["cv_calibrated"] = {
        **scores(p, classes, y),
        "log_loss": float(log_loss(y, np.clip(p, 1e-12, 1), labels=classes)),
        "threshold": threshold,
        "at_threshold": threshold_report(p, y, classes, threshold),
        "pooled_wilson_threshold": pooled_only,
        "at_pooled_wilson_threshold": threshold_report(p, y, classes, pooled_only),
        "per_fold_at_threshold": [
            threshold_report(p[test_idx], [y[i] for i in test_idx], classes, threshold) for _tr, test_idx in cv
        ],
        "seconds": round(time.perf_counter() - started),
    }
    for fixed in (0.8, 0.9, 0.95):
        report["cv_calibrated"][f"at_{fixed}"] = threshold_report(p, y, classes, fixed)
    print(f"CV calibrated pipeline: {json.dumps(report['cv_calibrated'], ensure_ascii=False)}", flush=True)
    if args.cv_only:
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return

    # -- the only place the test split is read --------------------------------------------------------
    tt, tb, ty = load("test")
    started = time.perf_counter()
    extra = read_unlabelled(UNLABELLED, exclude_titles=tt, exclude_bodies=tb)
    model = TextClassifier().fit(t, b, y, unlabelled=extra)
    train_seconds = time.perf_counter() - started
    test_proba = model.predict_proba_batch(tt, tb)
    result = evaluate(model, tt, tb, ty, proba=test_proba)
    result["at_cv_threshold"] = threshold_report(test_proba, ty, model.classes_, threshold)
    result["at_baked_threshold"] = threshold_report(test_proba, ty, model.classes_, DEFAULT_PARAMS["threshold"])
    result["log_loss"] = float(log_loss(ty, np.clip(test_proba, 1e-12, 1), labels=model.classes_))
    result["train_seconds"] = round(train_seconds, 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        model.save(path)
        result["model_file_mb"] = round(path.stat().st_size / 1e6, 1)
    report["test"] = result

    started = time.perf_counter()
    reference = ReferenceClassifier().fit(t, b, y)
    ref_seconds = time.perf_counter() - started
    ref = evaluate(reference, tt, tb, ty)
    ref["train_seconds"] = round(ref_seconds, 1)
    report["test_reference"] = ref
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    report["metadata"] = model.metadata

    keys = ("accuracy", "macro_f1", "latency_ms_p50", "latency_ms_p99", "train_seconds")
    print("TEST model    ", {k: round(result[k], 4) for k in keys}, flush=True)
    print("TEST reference", {k: round(ref[k], 4) for k in keys}, flush=True)
    print("TEST per-class F1", {k: round(v, 3) for k, v in result["per_class_f1"].items()})
    print("TEST confusion (rows true, cols predicted)", result["labels"])
    for label, row in zip(result["labels"], result["confusion"], strict=True):
        print(f"  {label:8s}", row)
    print("TEST at CV threshold", result["at_cv_threshold"])
    print(f"model file {result['model_file_mb']} MB, peak RSS {report['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
