"""The service catalogue (服务清单, DESIGN §9; issue 20 deliverable 5).

A ServiceKind is a kind of service residents ask for (家政, 养老助餐, 维修 …). It names the matters of the
responsibility list that ask for it: a case whose matter is one of a kind's matters IS a service request —
the matter, not a flag or the channel, decides, so a request keeps that standing through re-dispatch and
the dispatch engine's matter choice feeds it for free.

A ServiceOffer is one provider unit's offer of one kind at some places (streets or communities), with its
price as text and whether it accepts new requests now. Providers are matched to service requests through
these rows (linli.services.matching).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet


class ServiceKindQuerySet(RestrictedQuerySet["ServiceKind"]):
    pass


class ServiceKind(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    matters = models.ManyToManyField(
        "orgs.Matter", verbose_name=_("matters it answers"), related_name="service_kinds", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ServiceKindQuerySet.as_manager()

    class Meta:
        verbose_name = _("service kind")
        verbose_name_plural = _("service kinds")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceOfferQuerySet(RestrictedQuerySet["ServiceOffer"]):
    pass


class ServiceOffer(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="service_offers"
    )
    kind = models.ForeignKey(ServiceKind, verbose_name=_("service"), on_delete=models.PROTECT, related_name="offers")
    places = models.ManyToManyField("places.Place", verbose_name=_("places served"), related_name="service_offers")
    price = models.CharField(_("price"), max_length=200, blank=True)
    accepting = models.BooleanField(_("accepting requests"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = ServiceOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("service offer")
        verbose_name_plural = _("service offers")
        ordering = ["kind__code", "unit__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="services_one_offer_per_unit_kind")]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.kind.name}"
