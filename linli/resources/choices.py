from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    EQUIPMENT = "equipment", _("Equipment")
    FUND = "fund", _("Fund")
    RESIDENT_UNIT = "resident_unit", _("Resident unit (驻区单位)")
    SOCIAL_ORG = "social_org", _("Social organisation")
    EXPERT = "expert", _("Expert")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn")
    BROKEN = "broken", _("Needs repair")


class Offer(models.TextChoices):
    """What a resident unit offers the community."""

    VENUES = "venues", _("Venues")
    VOLUNTEERS = "volunteers", _("Volunteers")
    FUNDS = "funds", _("Funds")
    SKILLS = "skills", _("Skills")


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


# A request holds its slot as firmly as a confirmation: two requests for one slot would leave the steward
# to refuse one of them later, after both organisers had planned on it. Cancelling frees the slot.
HOLDING_STATES = (BookingState.REQUESTED, BookingState.CONFIRMED)


class Distance(models.IntegerChoices):
    """How far an item is from the place asked about, on the place tree."""

    SAME_COMMUNITY = 0, _("Same community")
    SAME_STREET = 1, _("Same street")
    ELSEWHERE = 2, _("Elsewhere")


WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]
