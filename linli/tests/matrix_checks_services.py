"""The service catalogue's read-path checks for the scope matrix (issue 20), joined into
matrix_checks.READ_PATHS."""

from __future__ import annotations

from collections.abc import Callable

from .matrix_checks import DENIED, Probe, _detail


def _catalogue(probe: Probe, url: str) -> None:
    """The catalogue shows the offers the viewer may read; an offer's provider and the places it serves are
    that offer's own public facts (§9: which providers, where), so their names are not leaks on this page.
    Any other outside object's marker is."""
    from linli.services.models import ServiceOffer

    response = probe.client.get(url, follow=True)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED, f"GET {url} → {response.status_code}")
        return
    body = response.content.decode()
    readable = probe.want("services.serviceoffer")[0]
    public: set[str] = set()
    for offer in ServiceOffer.objects.filter(pk__in=readable).select_related("unit").prefetch_related("places"):
        public.add(offer.unit.name)
        public.update(p.name for p in offer.places.all())
    for label, text, pattern in probe.outside_markers():
        if text not in public:
            probe.check(not pattern.search(body), f"GET {url} shows outside {label} {text!r}")


SERVICES_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "services:catalogue": lambda p, u: _catalogue(p, u()),
    "services:offer_edit": lambda p, u: _detail(p, "services.serviceoffer", lambda o: u(pk=o.pk), "change"),
}
