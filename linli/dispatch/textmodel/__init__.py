"""Smart-dispatch text classifier: which of the matter classes a resident's message belongs to.

Pure Python + scikit-learn (+ gensim to learn word vectors), no Django, so it can be trained,
benchmarked and unit-tested on its own (bench/dispatch_cv.py is the harness that measures a setting by
grouped cross-validation on the train split; bench/dispatch_research.md holds the numbers).

The model, in short: two TF-IDF blocks of character 1-3-grams, one over title+body and one over the
title alone (down-weighted), each cut to the terms that chi-squared ties most to a class; a dense block,
the IDF-weighted mean of skip-gram word vectors that each fit learns from its training texts plus
unlabelled messages of the same city; a hinge-loss linear SVM
over all three; and sigmoid (Platt) calibration fitted by grouped cross-validation inside the training
data. A prediction segments the first 1,000 characters with rjieba (jieba-rs) for the word vectors; an
optional sparse jieba word block exists (``word_weight``) because it was measured, but it did not help
and is off by default.

The parts: `normalize` (cleaning and segmenters), `vectors` (word vectors and the unlabelled corpus),
`features` (the n-gram and dense blocks), `classifier` (fit, predict, explain, save and load), `threshold`
(the auto-dispatch threshold), `evaluation` (the reference model and the figures), `versions` (what wrote a
saved model). Everything callers use is importable from here, as before the split; saved models name their
classes through this package too, so files written before it still load.
"""

from .classifier import DEFAULT_PARAMS, TextClassifier
from .evaluation import ReferenceClassifier, evaluate, measure
from .features import _group_ids, _keep_best_terms, best_terms_per_class
from .normalize import BODY_MAX_CHARS, SEGMENTERS, TITLE_MAX_CHARS, _jieba_tokens, _words, normalize_text
from .threshold import THRESHOLD_BATCH, THRESHOLD_Z, choose_threshold, lowest_cut, prediction_lower, threshold_report
from .vectors import WordEmbedding, _stable_hash, read_unlabelled
from .versions import FORMAT_VERSION, ModelRefused, _versions, mismatches

__all__ = [
    "BODY_MAX_CHARS",
    "DEFAULT_PARAMS",
    "FORMAT_VERSION",
    "SEGMENTERS",
    "THRESHOLD_BATCH",
    "THRESHOLD_Z",
    "TITLE_MAX_CHARS",
    "ModelRefused",
    "ReferenceClassifier",
    "TextClassifier",
    "WordEmbedding",
    "_group_ids",
    "_jieba_tokens",
    "_keep_best_terms",
    "_stable_hash",
    "_versions",
    "_words",
    "best_terms_per_class",
    "choose_threshold",
    "evaluate",
    "lowest_cut",
    "measure",
    "mismatches",
    "normalize_text",
    "prediction_lower",
    "read_unlabelled",
    "threshold_report",
]
