from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Resident web / H5")
    HOTLINE = "hotline", _("Hotline operator")
    GRID = "grid", _("Grid worker report")
    API = "api", _("API / Open311")
    IMPORT = "import", _("Bulk import")


class DecisionMode(models.TextChoices):
    AUTO = "auto", _("Dispatched automatically")
    MANUAL = "manual", _("Sent to a person")


class ModelStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    REJECTED = "rejected", _("Rejected (worse than active)")
    # Its file was written by other library versions than the server runs: never loaded, retrained instead.
    REFUSED = "refused", _("Refused (written by other library versions)")


class ExampleSource(models.TextChoices):
    BASE = "base", _("Base training data")
    CORRECTION = "correction", _("Dispatcher correction")
    CONFIRMED = "confirmed", _("Confirmed dispatch")
