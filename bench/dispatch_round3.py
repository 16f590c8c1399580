"""Third round of dispatch-model research: representations the first two rounds had not tried.

Run from the repository root:  .venv/bin/python bench/dispatch_round3.py [--cache DIR] [--only NAME ...]

Same grouped 5-fold CV on the train split as bench/dispatch_research.py (same folds), same SVM as the shipped
model (hinge LinearSVC C=2, 100 iterations, argmax of uncalibrated scores), same unlabelled corpus (attachments
3 and 4 minus rows repeating a test message or a message of the fold being validated). Feature blocks are cached
per fold under --cache (default var/research), so a second run only refits SVMs. The test split is read only to
keep its messages out of the unlabelled corpus. Takes about 40 minutes on 2 cores from an empty cache.

The pretrained Chinese word vectors come from the PyPI sdist of synonyms 3.10.0 (MIT licence; 125,796 words x
100 dimensions of word2vec trained on Chinese Wikipedia, file synonyms/data/words.vector); the script fetches it
with `pip download` when it is not in the cache. Rows that need it are skipped when it cannot be had. Results and
what they mean: bench/dispatch_research.md, "Third round".
"""

from __future__ import annotations

import argparse
import collections
import itertools
import pickle
import subprocess
import sys
import tarfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.multiclass import OneVsOneClassifier
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch_research import UNLABELLED, fold_index, folds, load  # noqa: E402

from linli.dispatch.textmodel import (  # noqa: E402
    TITLE_MAX_CHARS,
    WordEmbedding,
    _stable_hash,
    normalize_text,
    read_unlabelled,
)

warnings.simplefilter("ignore", ConvergenceWarning)
Pair = tuple[Any, Any]  # (training-fold rows, validation-fold rows) of one block


class Study:
    def __init__(self, cache: Path) -> None:
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)
        prepared = cache / "prepared.pkl"
        if not prepared.exists():
            t, b, y = load("train")
            test_titles, test_bodies, _labels = load("test")  # only to keep test messages out of unlabelled text
            cv = folds(t, b, y)
            ts = [normalize_text(x, TITLE_MAX_CHARS) for x in t]
            bs = [normalize_text(x) for x in b]
            unlabelled = [
                read_unlabelled(
                    UNLABELLED,
                    exclude_titles=[*test_titles, *(t[i] for i in va)],
                    exclude_bodies=[*test_bodies, *(b[i] for i in va)],
                )
                for _tr, va in cv
            ]
            every = sorted({text for fold in unlabelled for text in fold})
            data = {
                "y": y,
                "cv": cv,
                "titles": ts,
                "bodies": bs,
                "texts": [a + c for a, c in zip(ts, bs, strict=True)],
                "unlabelled": unlabelled,
                "unlabelled_words": dict(zip(every, WordEmbedding.tokenize(every), strict=True)),
            }
            data["words"] = WordEmbedding.tokenize(data["texts"])
            prepared.write_bytes(pickle.dumps(data, protocol=5))
        self.d: dict[str, Any] = pickle.loads(prepared.read_bytes())
        self.y = np.asarray(self.d["y"])
        self.cv: list[tuple[np.ndarray, np.ndarray]] = self.d["cv"]
        self.classes = sorted(set(self.d["y"]))
        self.blocks: dict[str, Callable[[int], Pair]] = {}
        self.wiki: tuple[dict[str, int], np.ndarray] | None = None

    # -- caching and blocks -----------------------------------------------------------------------------
    def cached(self, name: str, k: int, make: Callable[[], Any]) -> Any:
        path = self.cache / f"{name}.{k}.pkl"
        if path.exists():
            return pickle.loads(path.read_bytes())
        value = make()
        path.write_bytes(pickle.dumps(value, protocol=5))
        return value

    def tfidf(self, name: str, texts: list[str], **params: Any) -> None:
        def block(k: int) -> Pair:
            tr, va = self.cv[k]

            def make() -> Pair:
                vec = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **params)
                return vec.fit_transform([texts[i] for i in tr]), vec.transform([texts[i] for i in va])

            return self.cached(name, k, make)

        self.blocks[name] = block

    def fold_corpus(self, k: int) -> list[list[str]]:
        words = self.d["unlabelled_words"]
        return [words[x] for x in self.d["unlabelled"][k]] + [self.d["words"][i] for i in self.cv[k][0]]

    @staticmethod
    def idf(corpus: list[list[str]], vocab: dict[str, int]) -> np.ndarray:
        df = np.zeros(len(vocab))
        for words in corpus:
            for w in set(words):
                j = vocab.get(w)
                if j is not None:
                    df[j] += 1
        return np.asarray(np.maximum(np.log(len(corpus) / (1.0 + df)), 0.0))

    @staticmethod
    def mean_vectors(docs: list[list[str]], vocab: dict[str, int], weighted: np.ndarray) -> np.ndarray:
        out = np.zeros((len(docs), weighted.shape[1]), np.float32)
        for r, words in enumerate(docs):
            ids = [j for j in (vocab.get(w) for w in words) if j is not None]
            if ids:
                v = weighted[ids].sum(axis=0)
                norm = np.linalg.norm(v)
                if norm > 0:
                    out[r] = v / norm
        return out

    def dense(self, name: str, learn: Callable[[int], tuple[dict[str, int], np.ndarray]], cap: int = 0) -> None:
        """A mean-of-word-vectors block; `learn(k)` gives (vocabulary, IDF-weighted vectors) for fold k;
        `cap` > 0 averages only the words of a message's first `cap` characters."""

        def docs(rows: np.ndarray) -> list[list[str]]:
            out = []
            for i in rows:
                words, seen, kept = self.d["words"][i], 0, []
                for w in words:
                    seen += len(w)
                    if cap and seen > cap:
                        break
                    kept.append(w)
                out.append(kept)
            return out

        def block(k: int) -> Pair:
            tr, va = self.cv[k]

            def make() -> Pair:
                vocab, weighted = learn(k)
                return self.mean_vectors(docs(tr), vocab, weighted), self.mean_vectors(docs(va), vocab, weighted)

            return self.cached(name, k, make)

        self.blocks[name] = block

    def word2vec(self, k: int, init_from_wiki: bool = False) -> tuple[dict[str, int], np.ndarray]:
        from gensim.models import Word2Vec

        def make() -> tuple[dict[str, int], np.ndarray]:
            corpus = self.fold_corpus(k)
            model = Word2Vec(
                vector_size=100, window=5, min_count=3, sg=1, sample=1e-4, seed=0, workers=2, hashfxn=_stable_hash
            )
            model.build_vocab(corpus)
            if init_from_wiki and self.wiki is not None:
                wiki_vocab, wiki_vectors = self.wiki
                for w, j in model.wv.key_to_index.items():
                    i = wiki_vocab.get(w)
                    if i is not None:
                        model.wv.vectors[j] = wiki_vectors[i]
            model.train(corpus, total_examples=len(corpus), epochs=5)
            vocab = dict(model.wv.key_to_index)
            return vocab, model.wv.vectors * self.idf(corpus, vocab)[:, None]

        return self.cached("w2v-init-model" if init_from_wiki else "w2v-model", k, make)  # type: ignore[no-any-return]

    def load_wiki(self) -> bool:
        archive = self.cache / "synonyms-3.10.0.tar.gz"
        if not archive.exists():
            subprocess.run(
                [
                    *(sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"),
                    *("synonyms==3.10.0", "-d", str(self.cache)),
                ],
                check=False,
            )
        if not archive.exists():
            print("synonyms 3.10.0 could not be fetched: the Wikipedia-vector rows are skipped", flush=True)
            return False
        from gensim.models import KeyedVectors

        vectors_file = self.cache / "words.vector"
        if not vectors_file.exists():
            with tarfile.open(archive) as tar:
                member = tar.extractfile("synonyms-3.10.0/synonyms/data/words.vector")
                assert member is not None
                vectors_file.write_bytes(member.read())
        kv = KeyedVectors.load_word2vec_format(str(vectors_file), binary=True, unicode_errors="ignore")
        self.wiki = ({w: i for i, w in enumerate(kv.index_to_key)}, np.asarray(kv.vectors, dtype=np.float32))
        return True

    # -- evaluation -------------------------------------------------------------------------------------
    def matrices(self, spec: list[tuple[str, float]], k: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Fold k's training and validation rows: the blocks of `spec` side by side, each times its weight."""
        pairs = [self.blocks[name](k) for name, _w in spec]
        x_tr = sp.hstack([sp.csr_matrix(p[0]) * w for p, (_n, w) in zip(pairs, spec, strict=True)], format="csr")
        x_va = sp.hstack([sp.csr_matrix(p[1]) * w for p, (_n, w) in zip(pairs, spec, strict=True)], format="csr")
        return x_tr, x_va

    def scores(self, spec: list[tuple[str, float]], make: Callable[[], Any] | None = None) -> np.ndarray:
        out = np.zeros((len(self.y), len(self.classes)), dtype=np.float32)
        for k, (tr, va) in enumerate(self.cv):
            x_tr, x_va = self.matrices(spec, k)
            model = make() if make else LinearSVC(C=2.0, loss="hinge", max_iter=100, random_state=0)
            model.fit(x_tr, self.y[tr])
            out[va] = model.decision_function(x_va)
        return out

    def report(self, label: str, s: np.ndarray) -> None:
        pred = np.asarray(self.classes)[s.argmax(axis=1)]
        f1 = f1_score(self.y, pred, average="macro")
        print(f"| {label} | {f1:.4f} | {accuracy_score(self.y, pred):.4f} |", flush=True)

    def run(self, label: str, spec: list[tuple[str, float]], make: Callable[[], Any] | None = None) -> np.ndarray:
        s = self.scores(spec, make)
        self.report(label, s)
        return s


def wiki_clusters(st: Study, n_clusters: int) -> str:
    """Word clusters: k-means over the Wikipedia vectors of words seen at least twice, as a block of the bag of
    cluster 1-2-grams; returns the block's name. Needs `st.load_wiki()` first."""
    from sklearn.cluster import MiniBatchKMeans

    assert st.wiki is not None
    wiki_vocab, wiki_vectors = st.wiki
    d = st.d
    counts: collections.Counter[str] = collections.Counter(w for ws in d["words"] for w in ws)
    for ws in d["unlabelled_words"].values():
        counts.update(ws)
    known = [w for w, n in counts.items() if w in wiki_vocab and n >= 2]
    unit = wiki_vectors[[wiki_vocab[w] for w in known]]
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    labels = MiniBatchKMeans(n_clusters, random_state=0, n_init=3, batch_size=4096).fit(unit).labels_
    cluster = dict(zip(known, labels, strict=True))
    docs = [" ".join(f"c{cluster[w]}" for w in ws if w in cluster) for ws in d["words"]]
    name = f"clusters{n_clusters}"
    st.tfidf(name, docs, analyzer="word", ngram_range=(1, 2), min_df=2, token_pattern=r"\S+")
    return name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "research")
    args = parser.parse_args()
    started = time.perf_counter()
    st = Study(args.cache)
    d = st.d
    st.tfidf("all", d["texts"], analyzer="char", ngram_range=(1, 3), min_df=2)
    st.tfidf("title", d["titles"], analyzer="char", ngram_range=(1, 3), min_df=2)
    st.dense("w2v", st.word2vec)
    base = [("all", 1.0), ("title", 0.5)]
    print("| configuration | CV macro-F1 | CV acc |\n|---|---|---|")
    shipped = st.run("shipped: title x0.5 + in-domain word vectors x0.3 (before the cap)", [*base, ("w2v", 0.3)])

    # Pretrained Wikipedia vectors, alone, beside the in-domain ones, and as the in-domain ones' starting point.
    if st.load_wiki():
        assert st.wiki is not None
        wiki_vocab, wiki_vectors = st.wiki
        st.dense("wiki", lambda k: (wiki_vocab, wiki_vectors * st.idf(st.fold_corpus(k), wiki_vocab)[:, None]))
        st.dense("w2v-init", lambda k: st.word2vec(k, init_from_wiki=True))
        for w in (0.3, 0.5):
            st.run(f"Wikipedia vectors x{w} instead of in-domain", [*base, ("wiki", w)])
        st.run("in-domain x0.3 + Wikipedia x0.2", [*base, ("w2v", 0.3), ("wiki", 0.2)])
        st.run("in-domain x0.2 + Wikipedia x0.2", [*base, ("w2v", 0.2), ("wiki", 0.2)])
        st.run("in-domain vectors started from the Wikipedia ones, x0.3", [*base, ("w2v-init", 0.3)])

        for n_clusters in (500, 2000):
            name = wiki_clusters(st, n_clusters)
            for w in (0.2, 0.4):
                st.run(f"+ {n_clusters} word clusters, 1-2-grams x{w}", [*base, ("w2v", 0.3), (name, w)])

    # Paragraph vectors (PV-DBOW with word training), learnt on the fold's corpus, inferred for validation rows.
    def doc2vec(k: int) -> Pair:
        from gensim.models.doc2vec import Doc2Vec, TaggedDocument

        tr, va = st.cv[k]

        def make() -> Pair:
            corpus = st.fold_corpus(k)
            model = Doc2Vec(
                [TaggedDocument(ws, [i]) for i, ws in enumerate(corpus)],
                vector_size=100,
                dm=0,
                dbow_words=1,
                window=5,
                min_count=3,
                sample=1e-4,
                epochs=10,
                workers=2,
                seed=0,
                hashfxn=_stable_hash,
            )
            offset = len(d["unlabelled"][k])
            a = np.array([model.dv[offset + j] for j in range(len(tr))])
            b = np.array([model.infer_vector(d["words"][i], epochs=10) for i in va])
            a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-9)
            b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-9)
            return a.astype(np.float32), b.astype(np.float32)

        return st.cached("doc2vec", k, make)  # type: ignore[no-any-return]

    st.blocks["doc2vec"] = doc2vec
    for w in (0.2, 0.4):
        st.run(f"+ paragraph vectors (PV-DBOW d100) x{w}", [*base, ("w2v", 0.3), ("doc2vec", w)])

    # Other n-gram views and model shapes.
    st.tfidf("lead", [b[:60] for b in d["bodies"]], analyzer="char", ngram_range=(1, 3), min_df=2)
    st.tfidf("title14", d["titles"], analyzer="char", ngram_range=(1, 4), min_df=2)
    for w in (0.2, 0.35):
        st.run(f"+ block of the body's first 60 characters x{w}", [*base, ("w2v", 0.3), ("lead", w)])
    st.run("title block as 1-4-grams", [("all", 1.0), ("title14", 0.5), ("w2v", 0.3)])
    for c in (1.5, 3.0):
        st.run(f"C={c}", [*base, ("w2v", 0.3)], lambda c=c: LinearSVC(C=c, loss="hinge", max_iter=100, random_state=0))
    st.run(
        "one-vs-one LinearSVC C=2",
        [*base, ("w2v", 0.3)],
        lambda: OneVsOneClassifier(LinearSVC(C=2.0, loss="hinge", max_iter=100, random_state=0)),
    )

    # Stacking: logistic regression over the out-of-fold scores of diverse members, judged fold by fold.
    st.tfidf("words", [" ".join(ws) for ws in d["words"]], analyzer="word", ngram_range=(1, 2), min_df=2)
    st.tfidf("char24", d["texts"], analyzer="char", ngram_range=(2, 4), min_df=2)
    members = {
        "shipped": shipped,
        "jieba words 1-2 + title": st.run("member: jieba words 1-2 + title x0.5", [("words", 1.0), ("title", 0.5)]),
        "char 2-4 + title": st.run("member: char 2-4 + title x0.5", [("char24", 1.0), ("title", 0.5)]),
        "word vectors alone": st.run(
            "member: in-domain word vectors alone",
            [("w2v", 1.0)],
            lambda: LinearSVC(C=1.0, max_iter=2000, random_state=0),
        ),
    }
    fold_of = fold_index(st.cv, len(st.y))
    for r in range(1, len(members) + 1):
        for names in itertools.combinations(members, r):
            if "shipped" not in names:
                continue
            x = np.hstack([members[n] for n in names])
            p = np.zeros_like(shipped)
            for k in range(len(st.cv)):
                meta = LogisticRegression(C=1.0, max_iter=2000).fit(x[fold_of != k], st.y[fold_of != k])
                p[fold_of == k] = meta.predict_proba(x[fold_of == k])
            st.report("stacked: " + " + ".join(names), p)

    # Capping the text the word vectors read (the shipped model now reads the first 1,000 characters).
    for cap in (500, 700, 1000, 1500):
        st.dense(f"w2v-cap{cap}", st.word2vec, cap=cap)
        st.run(f"word vectors read the first {cap} characters", [*base, (f"w2v-cap{cap}", 0.3)])
    for cap in (1000, 1500):
        texts = [t + b[: max(cap - len(t), 0)] for t, b in zip(d["titles"], d["bodies"], strict=True)]
        st.tfidf(f"all-cap{cap}", texts, analyzer="char", ngram_range=(1, 3), min_df=2)
        st.run(
            f"n-grams and word vectors both capped at {cap}",
            [(f"all-cap{cap}", 1.0), ("title", 0.5), (f"w2v-cap{cap}", 0.3)],
        )

    # Would the nearest training message have fixed the errors? (cosine on the title+body n-gram block)
    pred = np.asarray(st.classes)[shipped.argmax(axis=1)]
    nearest_sim, nearest_label = np.zeros(len(st.y)), np.empty(len(st.y), dtype=object)
    for k, (tr, va) in enumerate(st.cv):
        a, b = st.blocks["all"](k)
        sims = (b @ a.T).toarray()
        nearest_sim[va], nearest_label[va] = sims.max(axis=1), st.y[tr][sims.argmax(axis=1)]
    wrong = pred != st.y
    print(
        "\n| nearest training message, cosine | rows | model right | nearest's label right | errors | of those, nearest has the true label |"
    )
    print("|---|---|---|---|---|---|")
    for lo, hi in ((0.9, 1.01), (0.7, 0.9), (0.5, 0.7), (0.0, 0.5)):
        m = (nearest_sim >= lo) & (nearest_sim < hi)
        print(
            f"| {lo}-{min(hi, 1.0)} | {m.sum()} | {(~wrong[m]).mean():.3f} | {(nearest_label[m] == st.y[m]).mean():.3f} "
            f"| {(wrong & m).sum()} | {(wrong & m & (nearest_label == st.y)).sum()} |"
        )
    print(f"\n{time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
