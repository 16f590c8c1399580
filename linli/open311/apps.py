from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2 over the closed loop: services are matters, requests are cases. It holds no
    rules of its own: writes go through linli.cases.actions, reads through the scope rules or the public
    board (linli.cases.public)."""

    name = "linli.open311"
    label = "open311"
    verbose_name = "Open311 GeoReport v2"
