"""Fixtures of the participation tests, each part's in its own module."""

from .cast_world import cast  # noqa: F401  (casting: an open vote with its roll, linli/participation/tests/cast_world.py)
