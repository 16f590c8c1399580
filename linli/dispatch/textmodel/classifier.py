"""The calibrated classifier over (title, body) pairs, with its defaults, explanations and file format."""

from __future__ import annotations

import io
import os
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from .features import FeatureBlocks, _group_ids
from .normalize import SEGMENTERS, _words, normalize_text
from .vectors import WordEmbedding
from .versions import FORMAT_VERSION, ModelRefused, _versions, check, write_header

# Chosen by grouped 5-fold CV on the train split (bench/dispatch_cv.py).
DEFAULT_PARAMS: dict[str, Any] = {
    "ngram_range": (1, 3),
    "min_df": 2,
    "title_weight": 0.5,
    "word_weight": 0.0,
    "C": 2.0,
    "loss": "hinge",
    "max_iter": 100,
    "class_weight": None,
    "calibration": "sigmoid",
    # One SVM on all rows plus CV-fitted calibrators; an ensemble of the 5 fold SVMs scored the same
    # within noise but makes the file ~5x larger.
    "calibration_ensemble": False,
    # Dense block: the IDF-weighted mean of skip-gram word vectors learnt, at fit time, from the training
    # texts plus any unlabelled messages of the same city (attachments 3 and 4 of the TipDM data by
    # default). It lets a message borrow what its words share with words seen in other messages.
    "embedding_weight": 0.3,
    "embedding_dim": 100,
    "embedding_epochs": 5,
    "embedding_min_count": 3,
    # Threads gensim learns the word vectors on. One since the tenth round: the same data gives the same
    # model on every run (two made the test figures wander by a message either side of a line), learnt beside
    # the n-gram blocks so a fit grows ~25%; CV macro-F1 0.9307 against 0.9309 (bench/dispatch_research.md, round 9).
    "embedding_workers": 1,
    # The word vectors read only the first 1,000 characters of title+body: by CV this changes nothing
    # (0.9273 with and without; 500 and 700 the same within noise) and it takes jieba, the slowest step of
    # a prediction, from ~8 ms to ~3 ms on the longest messages. The n-gram blocks still read all of it.
    "embedding_max_chars": 1000,
    # Which binding splits words for the word vectors (`_words`). rjieba since the ninth round: the same CV
    # macro-F1 as jieba over three partitions (0.9309 / 0.9308), a 25% shorter fit and p99 10.1 -> 7.5 ms
    # (bench/dispatch_research.md, round 9).
    "segmenter": "rjieba",
    # Keep only the n-grams of each block that chi-squared finds most tied to a class (0 keeps them all):
    # 50,000 of ~400,000 title+body n-grams and 10,000 of ~70,000 title n-grams. Chosen on one partition of
    # the CV folds and confirmed on a second (macro-F1 +0.0029 and +0.0034, bench/dispatch_research.md, round 4);
    # since the fifth round each class's best terms are taken in turn (+0.0020 over three partitions,
    # bench/dispatch_research.md, round 5).
    "all_max_terms": 50_000,
    "title_max_terms": 10_000,
    "cv_folds": 5,
    "random_state": 0,
    # Auto-dispatch threshold chosen on out-of-fold calibrated probabilities of the train split by
    # `choose_threshold`: the lowest at which a new batch of 1,000 auto-dispatched messages is >= 97% right by
    # a one-sided 97.5% prediction bound, and every CV fold is too (0.8614, 82.3% of messages at 98.00%, on
    # partition 0, word vectors on one thread, so the same on every run). See the research notes, sixth, eighth
    # and tenth rounds.
    "threshold": 0.861,
}


def _softmax(scores: np.ndarray) -> np.ndarray:
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _as_2d_decision(scores: np.ndarray, n_classes: int) -> np.ndarray:
    # Binary LinearSVC returns one column; expand so every caller sees (n, n_classes).
    if scores.ndim == 1 or (n_classes == 2 and scores.shape[1] == 1):
        s = scores.reshape(-1)
        return np.column_stack([-s, s])
    return scores


class TextClassifier(FeatureBlocks):
    """Calibrated classifier over (title, body) pairs."""

    def __init__(self, **params: Any) -> None:
        unknown = set(params) - set(DEFAULT_PARAMS)
        if unknown:
            raise TypeError(f"unknown parameters: {sorted(unknown)}")
        self.params: dict[str, Any] = {**DEFAULT_PARAMS, **params}
        if self.params["segmenter"] not in SEGMENTERS:
            raise ValueError(f"unknown segmenter {self.params['segmenter']!r}; expected one of {SEGMENTERS}")
        self.classes_: list[str] = []
        self.metadata: dict[str, Any] = {}
        self._vectorizers: dict[str, TfidfVectorizer] = {}
        self._embedding: WordEmbedding | None = None
        self._model: Any = None
        self._coef: np.ndarray | None = None
        self._names: dict[str, np.ndarray] | None = None

    # -- fitting ----------------------------------------------------------------------------------------
    def _svm(self) -> LinearSVC:
        return LinearSVC(
            C=self.params["C"],
            loss=self.params["loss"],
            max_iter=self.params["max_iter"],
            class_weight=self.params["class_weight"],
            random_state=self.params["random_state"],
        )

    def fit(
        self,
        titles: Sequence[str],
        bodies: Sequence[str],
        labels: Sequence[str],
        unlabelled: Sequence[str] = (),
    ) -> Self:
        """Fit on labelled (title, body, label) rows; `unlabelled` texts only help learn the word vectors."""
        started = time.perf_counter()
        titles, bodies = [t or "" for t in titles], [b or "" for b in bodies]
        y = np.asarray([str(label) for label in labels])
        if not (len(titles) == len(bodies) == len(y)) or len(y) == 0:
            raise ValueError("titles, bodies and labels must be non-empty and of equal length")
        self.classes_ = sorted(set(y.tolist()))
        texts = self._prepare(titles, bodies)
        extra = [normalize_text(t) for t in unlabelled] if self.params.get("embedding_weight", 0) > 0 else []
        x = self._features(texts, fit=True, unlabelled=extra, labels=y)
        self._coef, self._names = None, None
        counts = np.array([int((y == c).sum()) for c in self.classes_])
        folds = int(min(self.params["cv_folds"], counts.min()))
        method = self.params["calibration"]
        with warnings.catch_warnings():
            # A capped max_iter is deliberate (early stopping, measured by CV); liblinear's warning is noise.
            warnings.simplefilter("ignore", ConvergenceWarning)
            if len(self.classes_) < 2:
                self._model = None
            elif method == "none" or folds < 2:
                self._model = self._svm().fit(x, y)
            else:
                splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=self.params["random_state"])
                splits = list(splitter.split(x, y, _group_ids(texts["all"])))
                self._model = CalibratedClassifierCV(
                    self._svm(),
                    method=method,
                    cv=splits,
                    ensemble=bool(self.params["calibration_ensemble"]),
                    n_jobs=min(2, os.cpu_count() or 1),
                )
                # liblinear releases the GIL, so threads fit the calibration folds side by side without
                # copying the feature matrix into worker processes.
                with joblib.parallel_config(backend="threading"):
                    self._model.fit(x, y)
        for member in self._members():
            # float32 weights halve the file and change scores by ~1e-7, far below any decision margin.
            member.coef_ = np.asarray(member.coef_, dtype=np.float32)
        self.metadata = {
            "format_version": FORMAT_VERSION,
            "train_size": len(y),
            "class_counts": dict(zip(self.classes_, counts.tolist(), strict=True)),
            "n_features": int(x.shape[1]),
            "unlabelled_texts": len(extra),
            "embedding_words": len(self._embedding.vocab) if self._embedding is not None else 0,
            "calibration": method if isinstance(self._model, CalibratedClassifierCV) else "softmax",
            "train_seconds": round(time.perf_counter() - started, 2),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "versions": _versions(),
        }
        return self

    # -- prediction -------------------------------------------------------------------------------------
    def _proba_from_features(self, x: sp.csr_matrix) -> np.ndarray:
        n, k = x.shape[0], len(self.classes_)
        if self._model is None:
            return np.ones((n, max(k, 1))) / max(k, 1)
        if isinstance(self._model, CalibratedClassifierCV):
            p = np.asarray(self._model.predict_proba(x), dtype=float)
        else:
            p = _softmax(_as_2d_decision(self._model.decision_function(x), k))
        # Guard against rounding so callers can rely on an exact probability simplex.
        p = np.clip(p, 0.0, 1.0)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def predict_proba_batch(self, titles: Sequence[str], bodies: Sequence[str]) -> np.ndarray:
        if not self.classes_:
            raise RuntimeError("model is not fitted")
        titles, bodies = [t or "" for t in titles], [b or "" for b in bodies]
        return self._proba_from_features(self._features(self._prepare(titles, bodies)))

    def predict_proba(self, title: str, body: str) -> dict[str, float]:
        p = self.predict_proba_batch([title or ""], [body or ""])[0]
        return {c: float(v) for c, v in zip(self.classes_, p, strict=True)}

    def predict(self, title: str, body: str) -> str:
        proba = self.predict_proba(title, body)
        return max(proba, key=proba.__getitem__)

    # -- explanation ------------------------------------------------------------------------------------
    def _linear_weights(self) -> np.ndarray:
        # The calibrated ensemble is an average of linear SVMs; their mean weight vector is what
        # moves the decision score, and calibration is monotone in that score per class.
        if self._coef is None:
            k = len(self.classes_)
            coefs = []
            for m in self._members():
                w = np.asarray(m.coef_, dtype=np.float32)
                if k == 2 and w.shape[0] == 1:
                    w = np.vstack([-w[0], w[0]])
                coefs.append(w)
            self._coef = np.mean(coefs, axis=0)
        return self._coef

    def _members(self) -> list[LinearSVC]:
        if isinstance(self._model, CalibratedClassifierCV):
            return [c.estimator for c in self._model.calibrated_classifiers_]
        return [] if self._model is None else [self._model]

    def _feature_names(self) -> dict[str, np.ndarray]:
        if self._names is None:
            self._names = {b: self._vectorizers[b].get_feature_names_out() for b, _s, _w in self._block_specs()}
        return self._names

    def explain(self, title: str, body: str, label: str, top: int = 5) -> list[tuple[str, float]]:
        """Terms (character n-grams, or words with the word block) that pushed this message toward `label`.

        Contributions of the same string from the title and the whole-text blocks are summed, and an
        n-gram contained in a stronger one already listed is skipped, so "噪音扰民" is not followed by
        "噪音" and "噪".
        """
        if self._model is None or label not in self.classes_ or top <= 0:
            return []
        x = self._features(self._prepare([title or ""], [body or ""])).tocsr()
        w = self._linear_weights()[self.classes_.index(label)]
        names = self._feature_names()
        offsets, start = {}, 0
        for block, _s, _w in self._block_specs():
            offsets[block] = start
            start += len(names[block])
        scores: dict[str, float] = {}
        for idx, value in zip(x.indices, x.data, strict=True):
            if idx >= start:
                continue  # the dense embedding block has no nameable term
            contribution = float(value * w[idx])
            if contribution <= 0:
                continue
            block = max((b for b in offsets if offsets[b] <= idx), key=offsets.__getitem__)
            term = str(names[block][idx - offsets[block]])
            scores[term] = scores.get(term, 0.0) + contribution
        picked: list[tuple[str, float]] = []
        for term, score in sorted(scores.items(), key=lambda kv: -kv[1]):
            if not any(ch.isalnum() for ch in term):
                continue  # punctuation-only n-grams are real signal but explain nothing to a person
            if any(term in kept for kept, _ in picked):
                continue
            picked.append((term, round(score, 4)))
            if len(picked) >= top:
                break
        return picked

    # -- persistence ------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the model behind a header of the library versions it was fitted with (`versions.check`)."""
        self._coef, self._names = None, None  # caches are rebuilt on demand; keep the file small
        with Path(path).open("wb") as handle:
            write_header(handle)
            joblib.dump({"format_version": FORMAT_VERSION, "kind": "TextClassifier", "model": self}, handle, compress=3)

    @staticmethod
    def check_file(path: str | Path) -> None:
        """`ModelRefused` unless this process may load the model saved at `path`; reads only its header."""
        with Path(path).open("rb") as handle:
            check(handle, path)

    @classmethod
    def load(cls, path: str | Path) -> TextClassifier:
        """Load a saved model; `ModelRefused` (before anything is unpickled) if other library versions or another
        file format wrote it."""
        with Path(path).open("rb") as handle:
            check(handle, path)
            # joblib looks for its compression marker at the start of what it is given, hence a buffer of the rest.
            payload = joblib.load(io.BytesIO(handle.read()))
        if not isinstance(payload, dict) or payload.get("kind") != "TextClassifier":
            raise ValueError(f"{path} is not a saved TextClassifier")
        if payload.get("format_version") != FORMAT_VERSION:
            raise ModelRefused(f"{path} has format {payload.get('format_version')}, expected {FORMAT_VERSION}")
        model = payload["model"]
        if not isinstance(model, cls):
            raise ValueError(f"{path} does not hold a {cls.__name__}")
        if getattr(model, "_embedding", None) is not None:
            # The segmenter loads its dictionary on first use (jieba: about a second); pay it here, not on a
            # resident's request.
            _words("预热", model._segmenter())
        return model
