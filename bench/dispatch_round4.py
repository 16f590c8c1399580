"""Fourth round of dispatch-model research: weighting, feature selection, augmentation, steadier word vectors,
and the third round's small gains together.

Run from the repository root:  .venv/bin/python bench/dispatch_round4.py [--cache DIR]

Same grouped 5-fold CV on the train split, same SVM (hinge LinearSVC C=2, 100 iterations, argmax of the scores),
same unlabelled corpus and the same cached blocks as bench/dispatch_round3.py, whose Study class this reuses. The
test split is read only to keep its messages out of the unlabelled corpus. Results: bench/dispatch_research.md,
"Fourth round".
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch_round3 import Pair, Study, wiki_clusters  # noqa: E402

from linli.dispatch.textmodel import WordEmbedding, _stable_hash  # noqa: E402

SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


def svm(c: float = 2.0, **params: Any) -> LinearSVC:
    return LinearSVC(C=c, loss="hinge", max_iter=100, random_state=0, **params)


def bm25_block(st: Study, texts: list[str], k1: float, b: float) -> Any:
    def block(k: int) -> Pair:
        tr, va = st.cv[k]

        def make() -> Pair:
            vec = CountVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, dtype=np.float32)
            a = vec.fit_transform([texts[i] for i in tr]).tocsr()
            v = vec.transform([texts[i] for i in va]).tocsr()
            df = np.bincount(a.indices, minlength=a.shape[1])
            idf = np.log(1.0 + (a.shape[0] - df + 0.5) / (df + 0.5)).astype(np.float32)
            avgdl = float(a.sum(axis=1).mean())

            def weigh(m: sp.csr_matrix) -> sp.csr_matrix:
                m = m.copy()
                dl = np.asarray(m.sum(axis=1)).ravel()
                rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
                tf = m.data
                m.data = tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl[rows] / avgdl)) * idf[m.indices]
                return normalize(m)

            return weigh(a), weigh(v)

        return st.cached(f"bm25-{k1}-{b}", k, make)

    return block


def chi2_block(st: Study, source: str, keep: int) -> Any:
    """Block `source` cut to its `keep` terms with the highest chi-squared score on the fold's training rows,
    rows L2-normalised again over the kept terms."""

    def block(k: int) -> Pair:
        def make() -> Pair:
            a, v = st.blocks[source](k)
            selector = SelectKBest(chi2, k=min(keep, a.shape[1])).fit(a, st.y[st.cv[k][0]])
            return normalize(selector.transform(a)), normalize(selector.transform(v))

        return st.cached(f"{source}-chi2-{keep}", k, make)

    return block


def halves(body: str) -> list[str]:
    """The body cut in two at the sentence end nearest its middle; nothing for short or one-sentence bodies."""
    if len(body) < 100:
        return []
    pieces = [p for p in SENTENCE_END.split(body) if p]
    if len(pieces) < 2:
        return []
    ends = np.cumsum([len(p) for p in pieces])
    cut = int(np.argmin(np.abs(ends[:-1] - len(body) / 2))) + 1
    return ["".join(pieces[:cut]), "".join(pieces[cut:])]


def augmented_scores(st: Study, weight: float, title_only: float, w2v_weight: float = 0.3) -> np.ndarray:
    """Extra training rows per fold: title + each half of the body (sample weight `weight`) and the title alone
    (`title_only`, 0 for none). The vectorisers are fitted on the fold's original rows only."""
    d = st.d
    out = np.zeros((len(st.y), len(st.classes)), dtype=np.float32)
    for k, (tr, va) in enumerate(st.cv):
        extra_titles, extra_texts, extra_y, extra_w = [], [], [], []
        for i in tr:
            title = d["titles"][i]
            if weight:
                for half in halves(d["bodies"][i]):
                    extra_titles.append(title)
                    extra_texts.append(title + half)
                    extra_y.append(st.y[i])
                    extra_w.append(weight)
            if title_only and d["bodies"][i] and title:
                extra_titles.append(title)
                extra_texts.append(title)
                extra_y.append(st.y[i])
                extra_w.append(title_only)
        all_vec = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, analyzer="char", ngram_range=(1, 3), min_df=2)
        title_vec = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, analyzer="char", ngram_range=(1, 3), min_df=2)
        all_vec.fit([d["texts"][i] for i in tr])
        title_vec.fit([d["titles"][i] for i in tr])
        vocab, weighted = st.word2vec(k)
        emb = WordEmbedding(vocab, weighted)

        def capped(words: list[str], cap: int = 1000) -> list[str]:
            seen, kept = 0, []
            for w in words:
                seen += len(w)
                if seen > cap:
                    break
                kept.append(w)
            return kept

        def features(
            texts: list[str],
            titles: list[str],
            words: list[list[str]],
            emb: WordEmbedding = emb,
            all_vec: TfidfVectorizer = all_vec,
            title_vec: TfidfVectorizer = title_vec,
        ) -> sp.csr_matrix:
            dense = emb.transform_tokens([capped(w) for w in words])
            return sp.hstack(
                [all_vec.transform(texts), title_vec.transform(titles) * 0.5, sp.csr_matrix(dense) * w2v_weight],
                format="csr",
            )

        x_tr = features(
            [d["texts"][i] for i in tr] + extra_texts,
            [d["titles"][i] for i in tr] + extra_titles,
            [d["words"][i] for i in tr] + WordEmbedding.tokenize(extra_texts),
        )
        x_va = features([d["texts"][i] for i in va], [d["titles"][i] for i in va], [d["words"][i] for i in va])
        y = np.concatenate([st.y[tr], np.asarray(extra_y)])
        w = np.concatenate([np.ones(len(tr)), np.asarray(extra_w)])
        out[va] = svm().fit(x_tr, y, sample_weight=w).decision_function(x_va)
    return out


def seeded_word2vec(st: Study, seed: int) -> Any:
    from gensim.models import Word2Vec

    def learn(k: int) -> tuple[dict[str, int], np.ndarray]:
        def make() -> tuple[dict[str, int], np.ndarray]:
            corpus = st.fold_corpus(k)
            model = Word2Vec(
                vector_size=100, window=5, min_count=3, sg=1, sample=1e-4, seed=seed, workers=2, hashfxn=_stable_hash
            )
            model.build_vocab(corpus)
            model.train(corpus, total_examples=len(corpus), epochs=5)
            vocab = dict(model.wv.key_to_index)
            return vocab, model.wv.vectors * st.idf(corpus, vocab)[:, None]

        return st.cached(f"w2v-model-seed{seed}", k, make)  # type: ignore[no-any-return]

    return learn


SECTIONS = ["seeds", "bm25", "chi2", "augment", "wiki", "clusters", "confirm", "title"]


def load_wiki_blocks(st: Study) -> bool:
    """Wikipedia word-vector block and 2,000 k-means clusters of those vectors (as in the third round)."""
    if "wiki" in st.blocks:
        return True
    if not st.load_wiki():
        return False
    assert st.wiki is not None
    wiki_vocab, wiki_vectors = st.wiki
    st.dense("wiki", lambda k: (wiki_vocab, wiki_vectors * st.idf(st.fold_corpus(k), wiki_vocab)[:, None]))
    wiki_clusters(st, 2000)
    return True


def domain_clusters(st: Study, n_clusters: int) -> Any:
    """Bag of 1-2-grams of k-means clusters of the fold's own (in-domain) word vectors; no outside data."""
    from sklearn.cluster import MiniBatchKMeans

    def block(k: int) -> Pair:
        tr, va = st.cv[k]

        def make() -> Pair:
            vocab, weighted = st.word2vec(k)
            unit = weighted / np.maximum(np.linalg.norm(weighted, axis=1, keepdims=True), 1e-9)
            labels = MiniBatchKMeans(n_clusters, random_state=0, n_init=3, batch_size=4096).fit(unit).labels_

            def doc(i: int) -> str:
                return " ".join(f"c{labels[vocab[w]]}" for w in st.d["words"][i] if w in vocab)

            vec = TfidfVectorizer(
                sublinear_tf=True, dtype=np.float32, analyzer="word", ngram_range=(1, 2), min_df=2, token_pattern=r"\S+"
            )
            return vec.fit_transform([doc(i) for i in tr]), vec.transform([doc(i) for i in va])

        return st.cached(f"domain-clusters{n_clusters}", k, make)

    return block


def use_fold_seed(seed: int, cache: Path) -> Path:
    """Make Study use another partition of the grouped folds (shuffle seed `seed`); returns its own cache folder,
    so that a gain found on the usual folds can be checked on folds that fell differently."""
    import dispatch_round3
    from dispatch_research import folds

    def other_folds(titles: list[str], bodies: list[str], labels: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        return folds(titles, bodies, labels, seed=seed)

    dispatch_round3.folds = other_folds  # type: ignore[assignment]
    return cache.with_name(f"{cache.name}-folds{seed}")


def base_study(cache: Path, fold_seed: int) -> Study:
    """The Study on the usual folds (or another partition) with the shipped model's uncut blocks registered:
    "all" (title+body char 1-3), "title" and "w2v-cap1000"."""
    if fold_seed:
        cache = use_fold_seed(fold_seed, cache)
    st = Study(cache)
    st.tfidf("all", st.d["texts"], analyzer="char", ngram_range=(1, 3), min_df=2)
    st.tfidf("title", st.d["titles"], analyzer="char", ngram_range=(1, 3), min_df=2)
    st.dense("w2v-cap1000", st.word2vec, cap=1000)
    return st


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "research")
    parser.add_argument("--only", nargs="*", default=SECTIONS, choices=SECTIONS, help="sections to run (default all)")
    parser.add_argument(
        "--fold-seed",
        type=int,
        default=0,
        help="shuffle seed of the grouped folds; another seed gives a second, independent partition of train "
        "to check that a gain found on the first is not an accident of how the folds fell (own cache folder)",
    )
    args = parser.parse_args()
    only = set(args.only)
    started = time.perf_counter()
    st = base_study(args.cache, args.fold_seed)
    d = st.d
    for seed in (1, 2):
        st.dense(f"w2v-seed{seed}", seeded_word2vec(st, seed), cap=1000)
    for keep in (20_000, 30_000, 50_000, 80_000, 150_000, 250_000):
        st.blocks[f"chi2-{keep}"] = chi2_block(st, "all", keep)
    for keep in (3_000, 5_000, 10_000, 20_000, 30_000):
        st.blocks[f"chi2-title-{keep}"] = chi2_block(st, "title", keep)
    vec = ("w2v-cap1000", 0.3)
    base = [("all", 1.0), ("title", 0.5)]

    def cut(all_keep: int, title_keep: int, title_weight: float = 0.5, vectors: float = 0.3) -> list[tuple[str, float]]:
        """Blocks with the title+body and title n-grams cut by chi-squared (0: not cut)."""
        return [
            (f"chi2-{all_keep}" if all_keep else "all", 1.0),
            (f"chi2-title-{title_keep}" if title_keep else "title", title_weight),
            ("w2v-cap1000", vectors),
        ]

    print("| configuration | CV macro-F1 | CV acc |\n|---|---|---|", flush=True)
    st.run("shipped: title x0.5 + word vectors x0.3 over the first 1,000 characters", [*base, vec])

    if "seeds" in only:  # several word-vector models with different seeds side by side: steadier than one?
        st.run("word vectors, seed 1 alone, x0.3", [*base, ("w2v-seed1", 0.3)])
        st.run("word vectors, seed 2 alone, x0.3", [*base, ("w2v-seed2", 0.3)])
        for w in (0.173, 0.2, 0.25):
            st.run(
                f"three word-vector models (seeds 0, 1, 2) side by side, x{w} each",
                [*base, ("w2v-cap1000", w), ("w2v-seed1", w), ("w2v-seed2", w)],
            )

    if "bm25" in only:  # BM25 weighting of the title+body n-grams instead of sublinear TF-IDF
        for k1, b in ((1.2, 0.75), (1.2, 0.3), (2.0, 0.75)):
            st.blocks[f"bm25-{k1}-{b}"] = bm25_block(st, d["texts"], k1, b)
            st.run(
                f"BM25 (k1 {k1}, b {b}) instead of TF-IDF on title+body", [(f"bm25-{k1}-{b}", 1.0), ("title", 0.5), vec]
            )

    if "chi2" in only:  # chi-squared feature selection, fitted on the fold's training rows
        for keep in (20_000, 30_000, 50_000, 80_000, 150_000, 250_000):
            st.run(f"title+body n-grams cut to the {keep:,} best by chi-squared", cut(keep, 0))
        for keep in (10_000, 30_000):
            st.run(f"title+body cut to 50,000 and title block to {keep:,} by chi-squared", cut(50_000, keep))
        for w in (0.2, 0.4):
            st.run(f"title+body cut to 50,000 by chi-squared, word vectors x{w}", cut(50_000, 0, vectors=w))
        for min_df in (3, 5):  # or is it only that rare n-grams go?
            st.tfidf(f"all-min{min_df}", d["texts"], analyzer="char", ngram_range=(1, 3), min_df=min_df)
            st.run(
                f"title+body n-grams with min_df {min_df} instead of 2",
                [(f"all-min{min_df}", 1.0), ("title", 0.5), vec],
            )

    if "augment" in only:  # title + each half of the body, and the title alone, as extra weighted training rows
        for weight, title_only in ((0.3, 0.0), (0.6, 0.0), (0.0, 0.3), (0.3, 0.3)):
            st.report(
                f"augmented: halves x{weight}, title alone x{title_only}", augmented_scores(st, weight, title_only)
            )

    if "wiki" in only and load_wiki_blocks(st):  # the third round's small gains, together
        st.run("in-domain x0.2 + Wikipedia x0.2", [*base, ("w2v-cap1000", 0.2), ("wiki", 0.2)])
        st.run("+ 2000 word clusters x0.4", [*base, vec, ("clusters2000", 0.4)])
        st.run(
            "in-domain x0.2 + Wikipedia x0.2 + 2000 word clusters x0.4",
            [*base, ("w2v-cap1000", 0.2), ("wiki", 0.2), ("clusters2000", 0.4)],
        )
        st.run(
            "three seeds x0.2 + Wikipedia x0.2 + 2000 word clusters x0.4",
            [*base, ("w2v-cap1000", 0.2), ("w2v-seed1", 0.2), ("w2v-seed2", 0.2), ("wiki", 0.2), ("clusters2000", 0.4)],
        )
        st.run(
            "chi-squared 50,000 + in-domain x0.2 + Wikipedia x0.2 + 2000 word clusters x0.4",
            [*cut(50_000, 0, vectors=0.2), ("wiki", 0.2), ("clusters2000", 0.4)],
        )

    if "clusters" in only:  # clusters of the in-domain vectors instead of the Wikipedia ones
        for n in (1000, 2000):
            st.blocks[f"domain-clusters{n}"] = domain_clusters(st, n)
            for w in (0.2, 0.4):
                st.run(f"+ {n} clusters of in-domain word vectors x{w}", [*base, vec, (f"domain-clusters{n}", w)])
            st.run(
                f"chi-squared 50,000 + {n} clusters of in-domain word vectors x0.4",
                [*cut(50_000, 0), (f"domain-clusters{n}", 0.4)],
            )
    if "confirm" in only:  # the candidates, for a second partition of the folds (--fold-seed)
        st.run("title+body n-grams cut to the 80,000 best by chi-squared", cut(80_000, 0))
        for keep in (50_000, 80_000):
            st.run(f"title+body cut to {keep:,} and title block to 10,000 by chi-squared", cut(keep, 10_000))
            st.run(
                f"title+body cut to {keep:,} and title block to 10,000 by chi-squared, word vectors x0.4",
                cut(keep, 10_000, vectors=0.4),
            )
    if "title" in only:  # the title block's cut on its own, on both partitions
        for keep in (3_000, 5_000, 10_000, 20_000):
            st.run(f"title block cut to {keep:,} by chi-squared", cut(0, keep))
        for keep in (5_000, 20_000):
            st.run(f"title+body cut to 50,000 and title block to {keep:,} by chi-squared", cut(50_000, keep))
        for w in (0.4, 0.7):
            st.run(
                f"title+body cut to 50,000 and title block to 10,000 by chi-squared, title x{w}",
                cut(50_000, 10_000, title_weight=w),
            )
    print(f"\n{time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
