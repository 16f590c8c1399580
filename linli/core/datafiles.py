"""Open the project's bundled data files, compressed or not, without unpacking them to disk."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path
from typing import IO, Any

_OPENERS: dict[str, Any] = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}


def open_text(path: str | Path, encoding: str = "utf-8") -> IO[str]:
    """A text handle on `path`, decompressed on the fly when its name ends in .xz, .gz or .bz2. Newlines are
    handled as `Path.open` handles them, so a compressed file reads exactly as its plain original did."""
    opener = _OPENERS.get(Path(path).suffix)
    if opener is None:
        return Path(path).open(encoding=encoding)
    handle: IO[str] = opener(path, "rt", encoding=encoding)
    return handle


def open_binary(path: str | Path) -> IO[bytes]:
    """A binary handle on `path`, decompressed on the fly like `open_text`."""
    opener = _OPENERS.get(Path(path).suffix)
    if opener is None:
        return Path(path).open("rb")
    handle: IO[bytes] = opener(path, "rb")
    return handle
