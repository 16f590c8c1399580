"""Cleaning a message field and splitting Chinese text into words: the first step of every fit and prediction."""

from __future__ import annotations

import html
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable

try:  # Traditional -> simplified conversion; optional so a missing wheel degrades, never breaks.
    import zhconv as _zhconv
except ImportError:  # pragma: no cover - depends on the environment
    _zhconv = None

TITLE_MAX_CHARS = 300
BODY_MAX_CHARS = 3000

_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Bounded tag length keeps the regex linear on hostile input such as a lone "<" followed by megabytes.
_TAG = re.compile(r"<[^<>]{0,500}>")
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
# The labelled data has all whitespace stripped from Chinese text, so spaces next to non-ASCII
# characters are dropped to make live input look like training input; spaces between Latin words stay.
_SPACE_NEAR_WIDE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")


def normalize_text(text: str | None, max_chars: int = BODY_MAX_CHARS) -> str:
    """Clean one field of a message: no HTML, NFKC, simplified Chinese, compact whitespace, capped length."""
    if not text:
        return ""
    # Pre-cap before any regex so a 20,000-char (or 20 MB) paste costs the same as a normal message.
    text = str(text)[: max_chars * 4]
    if "<" in text:
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    # NFKC folds full-width Latin/digits and compatibility forms, so "ＫＴＶ" and "KTV" share n-grams.
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_NEAR_WIDE.sub("", text)
    text = text[:max_chars]
    if _zhconv is not None and not text.isascii():
        # zh-hans (not zh-cn): convert characters only, without regional word substitutions.
        text = _zhconv.convert(text, "zh-hans")
    return text


def _jieba_tokens(text: str) -> list[str]:
    # Module-level (not a lambda) so a fitted vectorizer using it can be pickled.
    words = _words(text)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _jieba_cut(text: str) -> list[str]:
    import jieba

    if jieba.default_logger.level < logging.WARNING:
        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter would land in command output
    return list(jieba.lcut(text))


def _rjieba_cut(text: str) -> list[str]:
    import rjieba

    return rjieba.cut(text)


# "jieba" is the reference Python package (every model saved before the ninth round); "rjieba" binds jieba-rs,
# the same dictionary and algorithm in Rust, about 11x faster here and different only in how runs of digits
# and punctuation split (bench/dispatch_research.md, ninth round). `TextClassifier` refuses any other name.
_SEGMENTERS: dict[str, Callable[[str], list[str]]] = {"jieba": _jieba_cut, "rjieba": _rjieba_cut}
SEGMENTERS = tuple(_SEGMENTERS)


def _words(text: str, segmenter: str = "jieba") -> list[str]:
    """The words of `text`. A model keeps the segmenter it was trained with: its word vectors are keyed by
    that segmenter's words."""
    return [w for w in _SEGMENTERS[segmenter](text) if w.strip()]
