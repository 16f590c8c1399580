from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """What a notice is about; the case workflow adds its own kinds here as it grows."""

    GENERAL = "general", _("General")
    CASE_UPDATE = "case_update", _("Case update")
    CASE_RESOLVED = "case_resolved", _("Case resolved")
    ACCOUNT = "account", _("Account")
