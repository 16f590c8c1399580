from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField, digest
from linli.core.querysets import RestrictedQuerySet

from .choices import PhoneCodePurpose, Role


class LinliUserManager(UserManager["User"]):
    def restrict(self, user: Any, action: str = "view") -> models.QuerySet[User]:
        from .scopes import restrict

        return restrict(self.get_queryset(), user, action)


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    objects: ClassVar[LinliUserManager] = LinliUserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_digest = digest(self.phone) if self.phone else None
        super().save(*args, **kwargs)

    @property
    def is_government_staff(self) -> bool:
        """For templates: whether a grant in force is a government role (see accounts.predicates)."""
        from .predicates import is_government_staff

        return is_government_staff(self)

    def active_roles(self) -> frozenset[str]:
        """The roles of the user's grants in force now (read once per request; superusers count as platform
        admins)."""
        from .scopes import roles_of

        return roles_of(self)


class GrantQuerySet(RestrictedQuerySet["Grant"]):
    def active(self, at: Any = None) -> GrantQuerySet:
        """Grants in force at `at` (now by default): started, and not yet ended."""
        moment = at or timezone.now()
        return self.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=moment), valid_from__lte=moment)


class Grant(models.Model):
    """One role a user holds over one place or one unit, for a period (DESIGN §1).

    A user may hold several (a community worker who is also a volunteer); what they may read is the union
    over the grants in force. A grant is never deleted: ending it sets `valid_to`, so history stays.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["user_id", "role", "valid_from"]
        indexes = [models.Index(fields=["user", "valid_to"], name="grant_user_valid_to")]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(place__isnull=False) & models.Q(unit__isnull=False)),
                name="grant_place_or_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="grant_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        target = self.place or self.unit
        return f"{self.user} · {self.get_role_display()}" + (f" · {target}" if target else "")

    def in_force(self, at: Any = None) -> bool:
        """The row-level twin of GrantQuerySet.active (keep the two alike): started, and not yet ended."""
        moment = at or timezone.now()
        return self.valid_from <= moment and (self.valid_to is None or self.valid_to > moment)


class PhoneCode(models.Model):
    """A one-time code sent by SMS; only its HMAC is stored. Rows also count sends for the throttles."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=PhoneCodePurpose.choices)
    code_hash = models.CharField(max_length=128)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        indexes = [models.Index(fields=["client_ip", "created_at"], name="phonecode_ip_created")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} @ {self.created_at:%Y-%m-%d %H:%M}"
