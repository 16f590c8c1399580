"""Settings for mypy's Django plugin, which imports settings to learn their types and runs no server.

It loads them as the demo so a bare `mypy` needs no keys; everything else uses linli.settings.
"""

import os

os.environ.setdefault("LINLI_DEMO", "1")

from linli.settings import *  # noqa: F403
