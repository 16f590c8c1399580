"""Per-client API tokens: the way a program (an Open311 client, a district system) calls the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet


class ApiTokenQuerySet(RestrictedQuerySet["ApiToken"]):
    def usable(self, at: Any = None) -> ApiTokenQuerySet:
        moment = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=moment)


class ApiToken(models.Model):
    """A secret that acts for one user within one of their grants, until it expires or is revoked.

    Only the SHA-256 digest of the secret is kept (the secret has 256 random bits, so a plain digest is as
    good as a keyed one and survives a SECRET_KEY rotation); the prefix finds the row without a scan.
    """

    name = models.CharField(_("name"), max_length=100, help_text=_("Which client uses it"))
    grant = models.ForeignKey(
        "accounts.Grant", verbose_name=_("grant"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
