"""Which rule should choose the auto-dispatch threshold? Nested CV on the train split.

Run from the repository root:  .venv/bin/python bench/dispatch_threshold.py [--seeds 0 1 2] [--cache DIR]

1. For each partition of the grouped 5-fold CV (`--seeds`, 0 is the usual folds), out-of-fold calibrated
   probabilities of the shipped pipeline (word vectors and calibration learnt inside each fold) and of the plain
   reference, cached in `--cache` (about 5 min a partition on 2 cores).
2. For every candidate rule and every fold k of every partition: the rule chooses a threshold on the other four
   folds' out-of-fold probabilities, and fold k (about 1,290 messages, the size of the test split) says what that
   threshold gives on messages the choice never saw: the share auto-dispatched and how many of those are right.

The question a rule must answer is the acceptance line's: will a new batch of messages, auto-dispatched at this
threshold, be at least 97% right? Step 2 measures how often each rule keeps that promise. The test split is read
only to keep its messages out of the unlabelled corpus. Results: bench/dispatch_research.md, "Sixth round".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch_research import UNLABELLED, fold_index, folds, load, oof_proba  # noqa: E402

from linli.dispatch.textmodel import (  # noqa: E402
    THRESHOLD_BATCH,
    THRESHOLD_Z,
    ReferenceClassifier,
    TextClassifier,
    lowest_cut,
    prediction_lower,
)

TARGET = 0.97


def partition(seed: int, cache: Path) -> dict[str, Any]:
    """Out-of-fold probabilities of the shipped model and the reference on partition `seed`, cached."""
    path = cache / f"oof-seed{seed}.npz"
    t, b, y = load("train")
    cv = folds(t, b, y, seed=seed)
    if not path.exists():
        test_titles, test_bodies, _ = load("test")
        started = time.perf_counter()
        p, classes = oof_proba(TextClassifier, t, b, y, cv, UNLABELLED, (test_titles, test_bodies))
        r, _ = oof_proba(ReferenceClassifier, t, b, y, cv)
        cache.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, proba=p, reference=r, classes=np.array(classes))
        print(f"partition {seed}: out-of-fold probabilities in {time.perf_counter() - started:.0f}s", flush=True)
    data = np.load(path)
    classes = [str(c) for c in data["classes"]]
    return {
        "proba": data["proba"],
        "reference": data["reference"],
        "classes": classes,
        "correct": data["proba"].argmax(axis=1) == np.array([classes.index(label) for label in y]),
        "fold": fold_index(cv, len(y)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "research-threshold")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args()
    parts = {seed: partition(seed, args.cache) for seed in args.seeds}
    report = study(parts)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], float]
Ok = Callable[[np.ndarray, np.ndarray], np.ndarray]


def wilson_lower(right: np.ndarray, n: np.ndarray, z: float) -> np.ndarray:
    p = right / n
    return (p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def _cut(score: np.ndarray, correct: np.ndarray, ok: Ok, fold: np.ndarray | None) -> float:
    cut = lowest_cut(score, correct, ok, fold, TARGET)
    return np.inf if cut is None else cut


def with_folds(ok: Ok) -> Rule:
    """The pooled condition and, as shipped since the second round, every fold on its own >= 97% right."""
    return lambda score, correct, fold: _cut(score, correct, ok, fold)


def pooled(ok: Ok) -> Rule:
    return lambda score, correct, _fold: _cut(score, correct, ok, None)


RULES: dict[str, Rule] = {
    "point estimate >= 97%": pooled(lambda r, n: r >= TARGET * n),
    "Wilson 95% >= 97%": pooled(lambda r, n: wilson_lower(r, n, 1.96) >= TARGET),
    "Wilson 95% + every fold >= 97% (shipped in rounds 2-5)": with_folds(
        lambda r, n: wilson_lower(r, n, 1.96) >= TARGET
    ),
    "Wilson 99% >= 97%": pooled(lambda r, n: wilson_lower(r, n, 2.576) >= TARGET),
}
for _batch in (250, 500, 1000, 2000):
    for _z, _level in ((1.645, 95), (1.96, 97.5)):
        RULES[f"prediction {_level}% for a batch of {_batch} >= 97%"] = pooled(
            lambda r, n, b=_batch, z=_z: prediction_lower(r, n, b, z) >= TARGET
        )
RULES["prediction 95% for a batch of 1000 + every fold (shipped in rounds 6-7)"] = with_folds(
    lambda r, n: prediction_lower(r, n, 1000, 1.645) >= TARGET
)
# Built from the shipped constants, so that this row measures what ships.
RULES[f"prediction z={THRESHOLD_Z} for a batch of {THRESHOLD_BATCH} + every fold (shipped since round 8)"] = with_folds(
    lambda r, n: prediction_lower(r, n, THRESHOLD_BATCH, THRESHOLD_Z) >= TARGET
)

SCORES: dict[str, Callable[[dict[str, Any]], np.ndarray]] = {
    "top probability": lambda d: d["proba"].max(axis=1),
    "top minus second": lambda d: np.diff(np.sort(d["proba"], axis=1)[:, -2:], axis=1).ravel(),
    "top probability, reference agrees (else 0)": lambda d: np.where(
        d["proba"].argmax(axis=1) == d["reference"].argmax(axis=1), d["proba"].max(axis=1), 0.0
    ),
}


def held_out(score: np.ndarray, correct: np.ndarray, fold: np.ndarray, rule: Rule) -> list[dict[str, float]]:
    """For each fold: the threshold the rule chooses on the other folds, and what it does on this one."""
    rows = []
    for k in np.unique(fold):
        mine = fold == k
        cut = rule(score[~mine], correct[~mine], fold[~mine])
        above = mine & (score >= cut)
        rows.append(
            {
                "threshold": cut,
                "n": int(mine.sum()),
                "auto": int(above.sum()),
                "right": int((correct & above).sum()),
            }
        )
    return rows


def precision_at_share(score: np.ndarray, correct: np.ndarray, share: float) -> float:
    order = np.argsort(-score, kind="stable")
    top = order[: round(share * len(score))]
    return float(correct[top].mean())


def study(parts: dict[int, dict[str, Any]]) -> dict[str, Any]:
    report: dict[str, Any] = {"ranking": {}, "rules": {}}
    print("\nPrecision of the most confident share of messages, out of fold (mean over partitions)")
    for name, score_of in SCORES.items():
        cells = {}
        for share in (0.6, 0.7, 0.75, 0.8, 0.85):
            values = [precision_at_share(score_of(d), d["correct"], share) for d in parts.values()]
            cells[f"{share:.2f}"] = round(float(np.mean(values)), 4)
        report["ranking"][name] = cells
        print(f"  {name:45s}", "  ".join(f"{k}: {v:.2%}" for k, v in cells.items()))

    print("\nRules, nested: each fold's threshold chosen on the other four folds of its partition")
    print(f"  {'rule':72s} {'auto':>6s} {'right':>7s} {'worst':>7s} {'< 97%':>6s}  thresholds")
    score_of = SCORES["top probability"]
    for name, rule in RULES.items():
        rows = []
        for d in parts.values():
            rows += held_out(score_of(d), d["correct"], d["fold"], rule)
        n, auto, right = (sum(r[key] for r in rows) for key in ("n", "auto", "right"))
        per_fold = [r["right"] / r["auto"] if r["auto"] else 1.0 for r in rows]
        summary = {
            "share": auto / n,
            "precision": right / auto if auto else float("nan"),
            "worst_fold": min(per_fold),
            "folds_below_target": sum(p < TARGET for p in per_fold),
            "folds": len(rows),
            "thresholds": [round(r["threshold"], 4) for r in rows],
        }
        report["rules"][name] = summary
        print(
            f"  {name:72s} {summary['share']:6.1%} {summary['precision']:7.2%} {summary['worst_fold']:7.2%}"
            f" {summary['folds_below_target']:3d}/{len(rows):<2d}"
            f"  {min(summary['thresholds']):.3f}-{max(summary['thresholds']):.3f}",
            flush=True,
        )
    n_folds = sum(len(np.unique(d["fold"])) for d in parts.values())
    allowed = int(0.05 * n_folds)
    passing = {k: v for k, v in report["rules"].items() if v["folds_below_target"] <= allowed}
    best = max(passing, key=lambda k: passing[k]["share"]) if passing else None
    report["chosen"] = best
    print(f"\nMost automation with at most {allowed} of {n_folds} held-out folds below 97% (eighth round): {best}")
    return report


if __name__ == "__main__":
    main()
