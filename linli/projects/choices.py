from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Open call")
    ASSIGNED = "assigned", _("Assigned")
    CHOSEN = "chosen", _("Claimant chosen")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Reported done")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CHOSEN = "chosen", _("Chosen")
    DECLINED = "declined", _("Declined")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    PUBLISHED = "published", _("Published as an open call")
    ASSIGNED = "assigned", _("Assigned")
    CLAIMED = "claimed", _("Claim submitted")
    CHOSEN = "chosen", _("Claim chosen")
    STARTED = "started", _("Work started")
    PROGRESS = "progress", _("Progress reported")
    DONE = "done", _("Reported done")
    RATED = "rated", _("Rated by a resident")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# States from which a project may still be cancelled.
CANCELLABLE = (
    ProjectState.DRAFT,
    ProjectState.PUBLISHED,
    ProjectState.ASSIGNED,
    ProjectState.CHOSEN,
    ProjectState.IN_PROGRESS,
)
# The place levels a project may be placed at: a community or below (DESIGN §2).
PROJECT_LEVELS = ("community", "grid", "estate", "building", "building_unit")
MAX_PROGRESS_PHOTOS = 6
