from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    """Service hours (counted in minutes, so every amount is an exact integer) and recognition points (积分)."""

    MINUTES = "minutes", _("Service time (minutes)")
    POINTS = "points", _("Points (积分)")


class AccountKind(models.TextChoices):
    # The community issues hours and points: its account runs negative by what it has recognised.
    COMMUNITY = "community", _("Community")
    PERSON = "person", _("Person")
    # Where redeemed points go: the community's reward shelf.
    REWARDS = "rewards", _("Reward shelf")


class TransferKind(models.TextChoices):
    SERVICE = "service", _("Service hours recorded")
    MUTUAL_AID = "mutual_aid", _("Mutual aid between residents")
    AWARD = "award", _("Points awarded")
    REDEMPTION = "redemption", _("Points redeemed for a reward")
    REVERSAL = "reversal", _("Reversal of an earlier transfer")


class ExchangeState(models.TextChoices):
    # One side proposes, the other confirms (the hour moves then) or declines; the proposer may withdraw.
    PROPOSED = "proposed", _("Waiting for the other side")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class ExchangeSide(models.TextChoices):
    GIVER = "giver", _("The helper")
    RECEIVER = "receiver", _("The one helped")


class RedemptionState(models.TextChoices):
    REDEEMED = "redeemed", _("Redeemed")
    CANCELLED = "cancelled", _("Cancelled")
