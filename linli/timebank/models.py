"""The time bank as a double-entry ledger (issue 20, DESIGN §9).

Every movement is a `Transfer` with two or more `Entry` legs whose amounts sum to zero; a balance is never
edited, only moved (`Account.balance` is a running total kept under the account's row lock, and
`manage.py ledger_check` proves it equals the account's entries). A mistake is undone by a reversal, a new
transfer with the legs negated, never by editing or deleting a row. Transfers form one hash chain (each
stores its predecessor's hash), so a row altered in the database — an amount, an account, a kind — is caught
even when the alteration keeps the sums at zero.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.querysets import RestrictedQuerySet

from .choices import AccountKind, Currency, ExchangeSide, ExchangeState, RedemptionState, TransferKind


class Account(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    currency = models.CharField(_("unit"), max_length=16, choices=Currency.choices)
    # The community whose ledger this is (its own account, its reward shelf, or where a person's account was
    # opened; a person has one account per currency, wherever they serve).
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "currency"], condition=models.Q(kind="person"), name="one_person_account_per_unit"
            ),
            models.UniqueConstraint(
                fields=["kind", "community", "currency"],
                condition=~models.Q(kind="person"),
                name="one_community_account_per_unit",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="person", person__isnull=False) | ~models.Q(kind="person"))
                & (models.Q(kind="person") | models.Q(community__isnull=False)),
                name="account_has_its_holder",
            ),
        ]

    def __str__(self) -> str:
        holder = f"person #{self.person_id}" if self.kind == AccountKind.PERSON else f"place #{self.community_id}"
        return f"{self.get_kind_display()} · {holder} · {self.currency}"


class Transfer(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices, db_index=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    # What it records, as "<app.model>:<pk>" (an attendance, an exchange, a redemption): one credit per source.
    ref = models.CharField(_("source"), max_length=64, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class Entry(models.Model):
    transfer = models.ForeignKey(Transfer, verbose_name=_("transfer"), on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("amount"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["transfer_id", "pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="entry_moves_something")]

    def __str__(self) -> str:
        return f"{self.transfer_id} · {self.account_id} · {self.amount}"


class LedgerHead(models.Model):
    """The chain's head, one row: locking it orders transfers, so the chain never forks."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger head")

    def __str__(self) -> str:
        return f"{self.count} transfers"


class Exchange(models.Model):
    """Mutual aid (邻里互助): an hour given is an hour received. One side proposes, the other confirms; the
    receiver's account pays the giver's only on confirmation (the `transfer`)."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    giver = models.ForeignKey(
        "people.Person", verbose_name=_("helper"), on_delete=models.PROTECT, related_name="help_given"
    )
    receiver = models.ForeignKey(
        "people.Person", verbose_name=_("helped"), on_delete=models.PROTECT, related_name="help_received"
    )
    minutes = models.PositiveIntegerField(pgettext_lazy("duration", "minutes"))
    memo = models.CharField(_("what was done"), max_length=200)
    proposed_by = models.CharField(_("proposed by"), max_length=8, choices=ExchangeSide.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=ExchangeState.choices, default=ExchangeState.PROPOSED, db_index=True
    )
    transfer = models.OneToOneField(
        Transfer, verbose_name=_("transfer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mutual-aid exchange")
        verbose_name_plural = _("mutual-aid exchanges")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(giver=models.F("receiver")), name="exchange_two_people"),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="exchange_moves_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.minutes} min"

    @property
    def waiting_for(self) -> str:
        return ExchangeSide.RECEIVER if self.proposed_by == ExchangeSide.GIVER else ExchangeSide.GIVER


class Reward(models.Model):
    """One item on a community's reward shelf, bought with points (积分)."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=64)
    price = models.PositiveIntegerField(_("price (points)"))
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    active = models.BooleanField(_("on the shelf"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["price", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(price__gt=0), name="reward_has_a_price")]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    reward = models.ForeignKey(Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="redemptions"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    state = models.CharField(
        _("state"), max_length=12, choices=RedemptionState.choices, default=RedemptionState.REDEEMED
    )
    transfer = models.OneToOneField(
        Transfer, verbose_name=_("transfer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("redeemed at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} × {self.quantity}"
