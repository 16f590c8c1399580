"""Choices of the volunteers app (DESIGN §9): service roles, languages, certificate kinds, availability slots,
the kinds of standing posts and the states of a sign-up."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceRole(models.TextChoices):
    POLICY_PROMOTER = "policy_promoter", _("Policy promoter (政策宣传员)")
    OPINION_COLLECTOR = "opinion_collector", _("Public opinion collector (民情收集员)")
    MEDIATOR = "mediator", _("Dispute mediator (矛盾调解员)")
    ACTIVITY_ORGANISER = "activity_organiser", _("Activity organiser (活动组织员)")
    CIVILITY_MODEL = "civility_model", _("Civility model (文明示范员)")


class Language(models.TextChoices):
    MANDARIN = "mandarin", _("Mandarin (普通话)")
    CANTONESE = "cantonese", _("Cantonese (粤语)")
    SIGN = "sign", _("Sign language (手语)")
    ENGLISH = "english", _("English")
    DIALECT = "dialect", _("Local dialect")


class CertificateKind(models.TextChoices):
    FIRST_AID = "first_aid", _("First aid")
    MEDIATOR = "mediator", _("People's mediator")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    ELDER_CARE = "elder_care", _("Elder care")
    FIRE_SAFETY = "fire_safety", _("Fire safety")


class Period(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")
    EVENING = "ev", _("Evening")


WEEKDAYS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
# Availability is a set of slot codes "<weekday 0-6><period>", e.g. "0am" for Monday morning.
SLOTS = tuple(f"{day}{period}" for day in range(7) for period in Period.values)


class VolunteerState(models.TextChoices):
    # A resident who signed up without a registry record: community staff register the person and confirm.
    PENDING = "pending", _("Waiting for the community")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class ActivityKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    SHIFT = "shift", _("Shift of a standing post")


class PostKind(models.TextChoices):
    BUILDING_LEAD = "building_lead", _("Building or entrance lead (楼门长/楼栋长)")
    PATROL = "patrol", _("Patrol")
    ELDER_VISIT = "elder_visit", _("Elder visits")
    OTHER = "other", _("Other duty")


class SignupState(models.TextChoices):
    APPLIED = "applied", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")
    DONE = "done", _("Attended")


# Sign-ups that hold a place on the activity.
HOLDING = (SignupState.APPLIED, SignupState.CONFIRMED, SignupState.DONE)

CERTIFICATE_EXPIRED_REASON = "证书过期"
