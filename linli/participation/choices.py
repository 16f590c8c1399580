from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicState(models.TextChoices):
    """A topic's way through deliberation (DESIGN §8): raised → discussed → proposed → deciding → decided →
    following up → done; it can be rejected (with a reason) from any state before a decision."""

    RAISED = "raised", _("Raised")
    DISCUSSING = "discussing", _("Under discussion")
    PROPOSED = "proposed", _("Proposal drafted")
    DECIDING = "deciding", _("Being decided")
    DECIDED = "decided", _("Decided")
    FOLLOWING_UP = "following_up", _("Being carried out")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Not taken up")


class DecisionKind(models.TextChoices):
    VOTE = "vote", _("By a vote")
    COMMITTEE = "committee", _("By the committee, with minutes")


class DecisionOutcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class MeetingKind(models.TextChoices):
    OFFLINE = "offline", _("Meeting in person (线下议事)")
    ONLINE = "online", _("Online meeting")


class VoteState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed, result published")
    CANCELLED = "cancelled", _("Cancelled")


class QuestionKind(models.TextChoices):
    """Civil Code art. 278: a major matter (maintenance fund, rebuilding, changing common parts' use …)
    needs at least 3/4 of the participating area and owners; an ordinary one more than 1/2."""

    ORDINARY = "ordinary", _("Ordinary matter")
    MAJOR = "major", _("Major matter")


# Every question is answered with one of these; the first is approval. The result file carries them as
# written here, so a verifier reads the approving option as options[0].
AGREE, OPPOSE, ABSTAIN = "同意", "反对", "弃权"
OPTIONS = (AGREE, OPPOSE, ABSTAIN)


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper ballot")
    IN_PERSON = "in_person", _("In person")
