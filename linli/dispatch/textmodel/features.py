"""The feature blocks a message becomes: character n-gram TF-IDF blocks cut to the terms most tied to a class, an
optional jieba word block, and the dense word-vector block."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import chi2

from .normalize import BODY_MAX_CHARS, TITLE_MAX_CHARS, _jieba_tokens, _words, normalize_text
from .vectors import WordEmbedding


def best_terms_per_class(x: sp.csr_matrix, labels: np.ndarray, keep: int) -> np.ndarray:
    """Column indices of about `keep` terms: the union of each class's best terms by one-vs-rest chi-squared,
    the same number from every class, as few as make the union reach `keep`. Pooled over all classes,
    chi-squared hands most of the budget to the terms that split the big classes; per class, small classes
    keep their own vocabulary."""
    orders = [np.argsort(-np.nan_to_num(chi2(x, labels == c)[0]), kind="stable") for c in np.unique(labels)]
    lo, hi = 1, x.shape[1]
    while lo < hi:  # the smallest depth per class whose union holds `keep` terms
        mid = (lo + hi) // 2
        if len(np.unique(np.concatenate([o[:mid] for o in orders]))) >= keep:
            hi = mid
        else:
            lo = mid + 1
    return np.unique(np.concatenate([o[:lo] for o in orders]))


def _keep_best_terms(
    vec: TfidfVectorizer, x: sp.csr_matrix, texts: Sequence[str], labels: np.ndarray, keep: int
) -> tuple[TfidfVectorizer, sp.csr_matrix]:
    """A vectorizer for only the about `keep` terms of `vec` most tied to a class by chi-squared
    (`best_terms_per_class`), fitted on the same texts (a term's IDF depends on its own document frequency
    alone, so kept terms keep their weights), and the texts' rows from it. Most of the ~400,000 character
    n-grams of the training texts turn up in a handful of messages of several classes; dropping them gained
    about +0.003 macro-F1 by CV on two partitions of the folds, where dropping rare terms by count did not
    (bench/dispatch_research.md, round 4); choosing them per class rather than pooled gained another +0.002 on average
    over three partitions (bench/dispatch_research.md, round 5)."""
    names = vec.get_feature_names_out()[best_terms_per_class(x, labels, keep)]
    shrunk = clone(vec).set_params(vocabulary=[str(n) for n in names])
    return shrunk, shrunk.fit_transform(texts)


def _group_ids(texts: Sequence[str]) -> np.ndarray:
    # Repeat postings (identical title+body) must stay in one fold, or calibration/CV sees its own answers.
    index: dict[str, int] = {}
    return np.array([index.setdefault(t, len(index)) for t in texts])


class FeatureBlocks:
    """The feature half of `TextClassifier`: which blocks it has, and how texts become rows of them."""

    params: dict[str, Any]
    _vectorizers: dict[str, TfidfVectorizer]
    _embedding: WordEmbedding | None

    # -- features ---------------------------------------------------------------------------------------
    def _prepare(self, titles: Sequence[str], bodies: Sequence[str]) -> dict[str, list[str]]:
        ts = [normalize_text(t, TITLE_MAX_CHARS) for t in titles]
        bs = [normalize_text(b, BODY_MAX_CHARS) for b in bodies]
        return {"all": [t + b for t, b in zip(ts, bs, strict=True)], "title": ts}

    def _block_specs(self) -> list[tuple[str, str, float]]:
        # (block name, which text it reads, weight); weight scales the L2-normalised block.
        specs = [("all", "all", 1.0), ("title", "title", float(self.params["title_weight"]))]
        if self.params["word_weight"] > 0:
            specs.append(("words", "all", float(self.params["word_weight"])))
        return [s for s in specs if s[2] > 0]

    def _new_vectorizer(self, block: str) -> TfidfVectorizer:
        common: dict[str, Any] = {"sublinear_tf": True, "min_df": self.params["min_df"], "dtype": np.float32}
        if block == "words":
            return TfidfVectorizer(analyzer=_jieba_tokens, **common)
        return TfidfVectorizer(analyzer="char", ngram_range=tuple(self.params["ngram_range"]), **common)

    def _features(
        self,
        texts: dict[str, list[str]],
        fit: bool = False,
        unlabelled: Sequence[str] = (),
        labels: np.ndarray | None = None,
    ) -> sp.csr_matrix:
        # Models saved before the embedding block existed have neither the parameter nor the attribute.
        weight = float(self.params.get("embedding_weight", 0.0))
        own_words: list[list[str]] | None = None
        learning: Future[WordEmbedding | None] | None = None
        background: ThreadPoolExecutor | None = None
        if fit:
            self._embedding = None
            if weight > 0:
                own_words = WordEmbedding.tokenize(texts["all"], self._segmenter())
                # The word vectors learn on one thread, which makes them the same on every run, while the
                # n-gram blocks below are built beside them on the other core (gensim's inner loop releases
                # the GIL), so the repeatable fit costs little more time than the two-thread one did. The
                # thread is this fit's own: a module-level pool's thread would not survive a fork, and a
                # forked worker would wait on it for ever.
                background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="word-vectors")
                learning = background.submit(
                    WordEmbedding.train,
                    [*WordEmbedding.tokenize(unlabelled, self._segmenter()), *own_words],
                    dim=int(self.params["embedding_dim"]),
                    epochs=int(self.params["embedding_epochs"]),
                    min_count=int(self.params["embedding_min_count"]),
                    seed=int(self.params["random_state"]),
                    workers=int(self.params["embedding_workers"]),
                )
        try:
            blocks = [
                self._ngram_block(block, texts[source], fit, labels) * w for block, source, w in self._block_specs()
            ]
            if learning is not None:
                self._embedding = learning.result()
        finally:
            if background is not None:
                background.shutdown(wait=False)
        embedding = getattr(self, "_embedding", None)
        if weight > 0 and embedding is not None:
            blocks.append(
                sp.csr_matrix(embedding.transform_tokens(self._embedding_words(texts["all"], own_words)) * weight)
            )
        return sp.hstack(blocks, format="csr")

    def _ngram_block(self, block: str, texts: list[str], fit: bool, labels: np.ndarray | None) -> sp.csr_matrix:
        if not fit:
            return self._vectorizers[block].transform(texts)
        vec = self._new_vectorizer(block)
        try:
            x = vec.fit_transform(texts)
        except ValueError:
            # Tiny or empty corpora leave no term with min_df; fall back to keeping every term.
            vec.set_params(min_df=1)
            x = vec.fit_transform([*texts, "\u3000"])[:-1]
        # The list of pruned terms is only diagnostic and can be larger than the model itself.
        vec.stop_words_ = None
        keep = int(self.params.get(f"{block}_max_terms") or 0)
        if keep and labels is not None and len(set(labels.tolist())) > 1 and x.shape[1] > keep:
            vec, x = _keep_best_terms(vec, x, texts, labels, keep)
        self._vectorizers[block] = vec
        return x

    def _embedding_words(self, texts: list[str], whole: list[list[str]] | None) -> list[list[str]]:
        """The words a message's vector is averaged over: those of its first `embedding_max_chars`
        characters. `whole` (at fit time) holds every text already segmented; only longer texts are
        segmented again, from the same prefix a prediction reads, so both see exactly the same words."""
        cap = self.params.get("embedding_max_chars")  # models saved before the cap read the whole text
        segmenter = self._segmenter()
        if whole is None:
            return WordEmbedding.tokenize([t[:cap] for t in texts] if cap else texts, segmenter)
        if not cap:
            return whole
        return [words if len(t) <= cap else _words(t[:cap], segmenter) for t, words in zip(texts, whole, strict=True)]

    def _segmenter(self) -> str:
        # Models saved before the parameter existed were trained with jieba and must keep reading with it.
        return str(self.params.get("segmenter", "jieba"))
