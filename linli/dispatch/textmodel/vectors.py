"""Word vectors: skip-gram vectors learnt from the city's own messages, and the unlabelled messages they learn from."""

from __future__ import annotations

import csv
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from linli.core.datafiles import open_text

from .normalize import BODY_MAX_CHARS, TITLE_MAX_CHARS, _words, normalize_text

__all__ = ["BODY_MAX_CHARS", "WordEmbedding", "read_unlabelled"]


def _stable_hash(text: str) -> int:
    # gensim seeds each word's first vector from hash(word); Python's str hash changes every process.
    return zlib.crc32(text.encode("utf-8"))


class WordEmbedding:
    """Skip-gram word vectors (gensim) trained on the city's own messages; a text becomes the L2-normalised,
    IDF-weighted mean of its words' vectors. Only numpy and jieba are needed to use a trained one."""

    def __init__(self, vocab: dict[str, int], weighted: np.ndarray) -> None:
        self.vocab = vocab
        # Rows are already multiplied by the word's IDF; float16 halves the file, far below any margin.
        self.weighted = weighted.astype(np.float16)

    @property
    def dim(self) -> int:
        return int(self.weighted.shape[1])

    @classmethod
    def train(
        cls,
        tokenized: Sequence[list[str]],
        dim: int,
        epochs: int,
        min_count: int,
        seed: int = 0,
        workers: int = 1,
    ) -> WordEmbedding | None:
        """Learn from texts already split into words (`tokenize`). None when they hold too few repeated
        words to learn anything (tiny corpora in tests). With one worker thread the vectors are the same on
        every run; with more, thread timing changes them slightly from run to run."""
        from gensim.models import Word2Vec

        corpus = [words for words in tokenized if words]
        # The stable hash makes every run start from the same vectors, whatever PYTHONHASHSEED is.
        model = Word2Vec(
            vector_size=dim,
            window=5,
            min_count=min_count,
            sg=1,
            # Stronger down-sampling of very frequent words (的, punctuation): as good by CV, 20% faster.
            sample=1e-4,
            seed=seed,
            workers=workers,
            hashfxn=_stable_hash,
        )
        try:
            model.build_vocab(corpus)
        except RuntimeError:  # "you must first build vocabulary": nothing reached min_count
            return None
        if len(model.wv) == 0:
            return None
        model.train(corpus, total_examples=len(corpus), epochs=epochs)
        vocab = {w: i for i, w in enumerate(model.wv.index_to_key)}
        df = np.zeros(len(vocab))
        for words in corpus:
            for w in set(words):
                if w in vocab:
                    df[vocab[w]] += 1
        idf = np.maximum(np.log(len(corpus) / (1.0 + df)), 0.0)
        return cls(vocab, np.asarray(model.wv.vectors, dtype=np.float32) * idf[:, None])

    @staticmethod
    def tokenize(texts: Sequence[str], segmenter: str = "jieba") -> list[list[str]]:
        return [_words(t, segmenter) if t else [] for t in texts]

    def transform(self, texts: Sequence[str], segmenter: str = "jieba") -> np.ndarray:
        return self.transform_tokens(self.tokenize(texts, segmenter))

    def transform_tokens(self, tokenized: Sequence[list[str]]) -> np.ndarray:
        out = np.zeros((len(tokenized), self.dim), dtype=np.float32)
        for row, words in enumerate(tokenized):
            ids = [i for i in (self.vocab.get(w) for w in words) if i is not None]
            if ids:
                v = self.weighted[ids].astype(np.float32).sum(axis=0)
                norm = float(np.linalg.norm(v))
                if norm > 0:
                    out[row] = v / norm
        return out


_BODY_KEY_CHARS = 200


def read_unlabelled(
    paths: Sequence[str | Path], exclude_titles: Sequence[str] = (), exclude_bodies: Sequence[str] = ()
) -> list[str]:
    """Unlabelled texts (messages, and official replies where a file has them) for the word vectors.

    Rows whose title or body opening matches an excluded message are dropped, so a test or
    held-out message never shapes the representation it is then judged with. Missing files are skipped:
    the unlabelled corpus helps, it is never required."""
    # A message is known by its normalised title or the opening of its body (repostings trim the tail).
    skip = {normalize_text(t, TITLE_MAX_CHARS) for t in exclude_titles}
    skip |= {normalize_text(b)[:_BODY_KEY_CHARS] for b in exclude_bodies}
    skip.discard("")
    texts: list[str] = []
    for path in paths:
        if not Path(path).exists():
            continue
        with open_text(path, encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                title = normalize_text(row.get("留言主题") or "", TITLE_MAX_CHARS)
                body = normalize_text(row.get("留言详情") or "")
                if {title, body[:_BODY_KEY_CHARS]} & skip:
                    continue
                if title or body:
                    texts.append(f"{title}。{body}" if title and body else title or body)
                reply = normalize_text(row.get("答复意见") or "")
                if reply:
                    texts.append(reply)
    return texts
