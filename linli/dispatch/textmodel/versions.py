"""What wrote a saved model: the file format and the versions of the libraries it was fitted with."""

from __future__ import annotations

import platform
from importlib import metadata

import numpy as np
import sklearn

from .normalize import _zhconv

FORMAT_VERSION = 1


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "sklearn": sklearn.__version__, "numpy": np.__version__}
    import scipy

    out["scipy"] = scipy.__version__
    out["zhconv"] = getattr(_zhconv, "__version__", "installed") if _zhconv is not None else "absent"
    try:
        import jieba

        out["jieba"] = jieba.__version__
    except ImportError:  # pragma: no cover
        out["jieba"] = "absent"
    try:
        out["rjieba"] = metadata.version("rjieba")
    except metadata.PackageNotFoundError:  # pragma: no cover
        out["rjieba"] = "absent"
    return out
