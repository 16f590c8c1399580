"""Judging a classifier: the plain reference it is measured against, accuracy and F1, latency, memory."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.svm import LinearSVC

from .classifier import TextClassifier, _as_2d_decision, _softmax
from .threshold import threshold_report


class ReferenceClassifier:
    """The plain reference: char 1-3 TF-IDF (sublinear, min_df 2) on title+body, LinearSVC(C=0.5).

    Deliberately no cleaning, title block or calibration; probabilities are a softmax of the SVM
    scores and only serve accuracy/F1 comparisons.
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] = {"ngram_range": (1, 3), "min_df": 2, "sublinear_tf": True, "C": 0.5}
        self.classes_: list[str] = []
        self.metadata: dict[str, Any] = {}
        self._vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        self._svm = LinearSVC(C=0.5)

    def fit(
        self,
        titles: Sequence[str],
        bodies: Sequence[str],
        labels: Sequence[str],
        unlabelled: Sequence[str] = (),
    ) -> Self:
        """The reference learns from labelled rows alone; `unlabelled` is accepted and ignored."""
        started = time.perf_counter()
        texts = [(t or "") + (b or "") for t, b in zip(titles, bodies, strict=True)]
        self._svm.fit(self._vec.fit_transform(texts), list(labels))
        self.classes_ = [str(c) for c in self._svm.classes_]
        self.metadata = {"train_size": len(texts), "train_seconds": round(time.perf_counter() - started, 2)}
        return self

    def predict_proba_batch(self, titles: Sequence[str], bodies: Sequence[str]) -> np.ndarray:
        texts = [(t or "") + (b or "") for t, b in zip(titles, bodies, strict=True)]
        return _softmax(_as_2d_decision(self._svm.decision_function(self._vec.transform(texts)), len(self.classes_)))

    def predict_proba(self, title: str, body: str) -> dict[str, float]:
        p = self.predict_proba_batch([title], [body])[0]
        return {c: float(v) for c, v in zip(self.classes_, p, strict=True)}


# -- evaluation helpers ---------------------------------------------------------------------------------


def evaluate(
    model: TextClassifier | ReferenceClassifier,
    titles: Sequence[str],
    bodies: Sequence[str],
    labels: Sequence[str],
    latency_samples: int = 300,
    proba: np.ndarray | None = None,
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1, confusion matrix and single-message latency on a labelled set.

    `proba`: the model's probabilities for these rows, when the caller already has them for other uses."""
    titles, bodies = [t or "" for t in titles], [b or "" for b in bodies]
    y = [str(label) for label in labels]
    if proba is None:
        proba = model.predict_proba_batch(titles, bodies)
    pred = [model.classes_[i] for i in proba.argmax(axis=1)]
    order = list(model.classes_) + sorted(set(y) - set(model.classes_))
    per_class = f1_score(y, pred, labels=order, average=None, zero_division=0)
    result: dict[str, Any] = {
        "n": len(y),
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=sorted(set(y)), average="macro", zero_division=0)),
        "per_class_f1": {c: float(f) for c, f in zip(order, per_class, strict=True)},
        "labels": order,
        "confusion": confusion_matrix(y, pred, labels=order).tolist(),
    }
    m = min(latency_samples, len(y))
    if m:
        for i in range(min(5, m)):  # warm-up: first calls pay for lazy imports and dictionary loads
            model.predict_proba(titles[i], bodies[i])
        times = []
        for i in range(m):
            t0 = time.perf_counter()
            model.predict_proba(titles[i], bodies[i])
            times.append((time.perf_counter() - t0) * 1000)
        result["latency_ms_p50"] = float(np.percentile(times, 50))
        result["latency_ms_p99"] = float(np.percentile(times, 99))
    return result


def measure(
    kind: str,
    train: tuple[list[str], list[str], list[str]],
    test: tuple[list[str], list[str], list[str]],
    unlabelled: Sequence[str] = (),
) -> dict[str, Any]:
    """Fit `kind` ("linli" or "reference") on `train` (and `unlabelled` texts) and evaluate it on `test`,
    with training seconds and this process's peak memory; meant to run in a fresh process so the peak is
    the model's own."""
    import resource

    model: TextClassifier | ReferenceClassifier = TextClassifier() if kind == "linli" else ReferenceClassifier()
    started = time.perf_counter()
    model.fit(*train, unlabelled=unlabelled)
    seconds = time.perf_counter() - started
    proba = model.predict_proba_batch(test[0], test[1])
    result = evaluate(model, *test, proba=proba)
    result["train_seconds"] = round(seconds, 2)
    if isinstance(model, TextClassifier):
        result["auto_dispatch"] = threshold_report(proba, test[2], model.classes_, float(model.params["threshold"]))
        result["params"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.params.items()}
    # ru_maxrss is in KiB on Linux.
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result
