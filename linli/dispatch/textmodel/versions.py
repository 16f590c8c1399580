"""What wrote a saved model: the file format and the versions of the libraries it was fitted with.

A saved model is a pickle of scikit-learn, numpy and scipy objects, and its word vectors are keyed by the words
one segmenter version cut. Another version of any of them may unpickle it into something subtly different, or
split words its vectors do not know, so a file is used only where it was written: the versions are kept in a
plain header in front of the pickle and compared before anything is unpickled (`check`).
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from typing import IO, Any

import numpy as np
import sklearn

from .normalize import _zhconv

# 2: a JSON header with the library versions comes before the pickle (1: a bare joblib pickle).
FORMAT_VERSION = 2
MAGIC = b"LINLI-TEXTMODEL\n"
# Names as a person reads them in the refusal message.
LIBRARY_NAMES = {
    "format": "model file format",
    "python": "Python",
    "sklearn": "scikit-learn",
    "numpy": "NumPy",
    "scipy": "SciPy",
    "gensim": "gensim",
    "jieba": "jieba",
    "rjieba": "rjieba",
    "zhconv": "zhconv",
}


class ModelRefused(ValueError):
    """A saved model that this process must not load (other library versions, another format); retrain it."""


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover - depends on the environment
        return "absent"


def _versions() -> dict[str, str]:
    """The versions of everything a fitted model depends on, as recorded in its metadata and file header."""
    import scipy

    return {
        "format": str(FORMAT_VERSION),
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "gensim": _package_version("gensim"),
        "jieba": _package_version("jieba"),
        "rjieba": _package_version("rjieba"),
        "zhconv": _package_version("zhconv") if _zhconv is not None else "absent",
    }


def _comparable(key: str, value: str) -> str:
    # Pickles are stable across Python patch releases; a new minor release may change them.
    return ".".join(value.split(".")[:2]) if key == "python" else value


def mismatches(recorded: dict[str, Any]) -> list[str]:
    """One line per library whose recorded version differs from this process's, e.g.
    "scikit-learn 1.5.2 wrote it, 1.9.1 runs here". Empty: the model may be loaded."""
    here = _versions()
    out = []
    for key, current in here.items():
        then = str(recorded.get(key, "unrecorded"))
        if _comparable(key, then) != _comparable(key, current):
            out.append(f"{LIBRARY_NAMES[key]} {then} wrote it, {current} runs here")
    return out


def write_header(handle: IO[bytes]) -> None:
    handle.write(MAGIC)
    handle.write(json.dumps(_versions(), sort_keys=True).encode() + b"\n")


def check(handle: IO[bytes], path: object) -> None:
    """Read the header of a saved model from `handle` (left at the pickle that follows) and raise `ModelRefused`,
    naming every difference, unless it was written by the same versions as this process runs."""
    if handle.read(len(MAGIC)) != MAGIC:
        raise ModelRefused(f"{path} was written before models recorded their library versions; retrain it")
    try:
        recorded = json.loads(handle.readline())
    except ValueError as exc:
        raise ModelRefused(f"{path} has an unreadable header: {exc}") from exc
    problems = mismatches(recorded if isinstance(recorded, dict) else {})
    if problems:
        raise ModelRefused(f"{path} was written by other library versions ({'; '.join(problems)}); retrain it")
