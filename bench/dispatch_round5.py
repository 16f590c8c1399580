"""Fifth round of dispatch-model research: what the chi-squared cut of the fourth round makes possible.

Run from the repository root:  .venv/bin/python bench/dispatch_round5.py [--fold-seed N] [--only SECTION ...]

The fourth round found that keeping only the n-grams most tied to a class helps. That cut may rescue blocks that
lost before because they added more noise than signal (character 1-4-grams, jieba words), may want a different
SVM strength now that the feature space is smaller, and may work better per class (for macro-F1) or as a weight
rather than a cut. Same grouped folds, same SVM, same word vectors and caches as bench/dispatch_round4.py; the
test split is read only to keep its messages out of the unlabelled corpus. Results: bench/dispatch_research.md,
"Fifth round".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_selection import chi2
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch_round3 import Pair, Study  # noqa: E402
from dispatch_round4 import base_study, chi2_block, svm  # noqa: E402

from linli.dispatch.textmodel import best_terms_per_class  # noqa: E402

SECTIONS = ["ngrams", "words", "perclass", "weight", "svm", "combo"]


def per_class_chi2_block(st: Study, source: str, keep: int) -> Any:
    """Block `source` cut to the union of each class's best terms by one-vs-rest chi-squared, taking the same
    number from every class until `keep` terms are held (`best_terms_per_class`, which the model now uses)."""

    def block(k: int) -> Pair:
        def make() -> Pair:
            a, v = st.blocks[source](k)
            cols = best_terms_per_class(a, st.y[st.cv[k][0]], keep)
            return normalize(a[:, cols]), normalize(v[:, cols])

        return st.cached(f"{source}-perclass-chi2-{keep}", k, make)

    return block


def weighted_chi2_block(st: Study, source: str, keep: int, power: float) -> Any:
    """The chi-squared cut, with each kept term's column also scaled by its chi-squared score ** `power` (scores
    divided by their median first): supervised term weighting on top of TF-IDF."""

    def block(k: int) -> Pair:
        def make() -> Pair:
            a, v = st.blocks[source](k)
            scores = np.nan_to_num(chi2(a, st.y[st.cv[k][0]])[0])
            cols = np.sort(np.argsort(-scores, kind="stable")[:keep])
            scale = (scores[cols] / np.median(scores[cols])) ** power
            diag = sp.diags(scale.astype(np.float32))
            return normalize(a[:, cols] @ diag), normalize(v[:, cols] @ diag)

        return st.cached(f"{source}-wchi2-{keep}-{power}", k, make)

    return block


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "research")
    parser.add_argument("--only", nargs="*", default=SECTIONS, choices=SECTIONS, help="sections to run (default all)")
    parser.add_argument("--fold-seed", type=int, default=0, help="as in dispatch_round4.py: a second partition")
    args = parser.parse_args()
    only = set(args.only)
    started = time.perf_counter()
    st = base_study(args.cache, args.fold_seed)
    d = st.d
    st.blocks["chi2-50000"] = chi2_block(st, "all", 50_000)
    st.blocks["chi2-title-10000"] = chi2_block(st, "title", 10_000)
    # Blocks are built (and cached) only when a row uses them, so registering them all here costs nothing.
    st.tfidf(
        "words12",
        [" ".join(w) for w in d["words"]],
        analyzer="word",
        ngram_range=(1, 2),
        min_df=2,
        token_pattern=r"\S+",
    )
    for keep in (10_000, 30_000):
        st.blocks[f"words12-chi2-{keep}"] = chi2_block(st, "words12", keep)
    for keep in (30_000, 50_000, 80_000):
        st.blocks[f"all-perclass-{keep}"] = per_class_chi2_block(st, "all", keep)
    st.blocks["title-perclass-10000"] = per_class_chi2_block(st, "title", 10_000)
    shipped = [("chi2-50000", 1.0), ("chi2-title-10000", 0.5), ("w2v-cap1000", 0.3)]

    print("| configuration | CV macro-F1 | CV acc |\n|---|---|---|", flush=True)
    st.run("shipped: title+body 50k and title 10k by chi-squared, title x0.5, word vectors x0.3", shipped)

    if "ngrams" in only:  # 1-4-grams lost to 1-3 uncut (first round); does the cut rescue them?
        st.tfidf("all14", d["texts"], analyzer="char", ngram_range=(1, 4), min_df=2)
        for keep in (50_000, 80_000, 120_000):
            st.blocks[f"all14-chi2-{keep}"] = chi2_block(st, "all14", keep)
            st.run(f"title+body char 1-4-grams cut to {keep:,}", [(f"all14-chi2-{keep}", 1.0), *shipped[1:]])

    if "words" in only:  # jieba words tied with characters uncut (first round); cut, do they add?
        for keep in (10_000, 30_000):
            for w in (0.3, 0.5):
                st.run(f"+ jieba word 1-2-grams cut to {keep:,}, x{w}", [*shipped, (f"words12-chi2-{keep}", w)])

    if "perclass" in only:  # the same budget of terms shared out evenly between the classes
        st.run("title+body cut per class to 50k", [("all-perclass-50000", 1.0), *shipped[1:]])
        st.run(
            "title+body 50k and title 10k cut per class",
            [("all-perclass-50000", 1.0), ("title-perclass-10000", 0.5), shipped[2]],
        )
        st.run("title 10k cut per class", [shipped[0], ("title-perclass-10000", 0.5), shipped[2]])

    if "weight" in only:  # chi-squared as a term weight as well as a cut
        for power in (0.25, 0.5):
            st.blocks[f"all-wchi2-{power}"] = weighted_chi2_block(st, "all", 50_000, power)
            st.run(f"title+body 50k scaled by chi-squared ** {power}", [(f"all-wchi2-{power}", 1.0), *shipped[1:]])

    if "svm" in only:  # a smaller feature space may want another C, or balanced class weights
        for c in (1.0, 4.0):
            st.run(f"C={c}", shipped, lambda c=c: svm(c))
        st.run("class_weight balanced", shipped, lambda: svm(class_weight="balanced"))
        st.run("squared hinge, C=0.5", shipped, lambda: LinearSVC(C=0.5, max_iter=100, random_state=0))
    if "combo" in only:  # the small gains above together, and the per-class cut's budget
        for keep in (30_000, 80_000):
            st.run(f"title+body cut per class to {keep:,}", [(f"all-perclass-{keep}", 1.0), *shipped[1:]])
        per_class = [("all-perclass-50000", 1.0), *shipped[1:]]
        words = ("words12-chi2-30000", 0.5)
        st.run("title+body cut per class to 50,000 (again)", per_class)
        st.run("+ jieba word 1-2-grams cut to 30,000, x0.5 (again)", [*shipped, words])
        st.run("+ jieba word 1-2-grams cut to 30,000, x0.7", [*shipped, ("words12-chi2-30000", 0.7)])
        st.run("per-class cut + jieba words x0.5", [*per_class, words])
        st.run("per-class cut, C=4", per_class, lambda: svm(4.0))
        st.run("per-class cut + jieba words x0.5, C=4", [*per_class, words], lambda: svm(4.0))
    print(f"\n{time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
