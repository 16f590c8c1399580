"""The closed loop's fixtures: assessment tests build their timelines through the same actions."""

from linli.cases.tests.conftest import people  # noqa: F401
