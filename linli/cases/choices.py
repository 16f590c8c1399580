from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    """DESIGN §4's closed loop; the side paths that park a case have their own states."""

    SUBMITTED = "submitted", _("Submitted")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned, under review")
    SUSPENDED = "suspended", _("Suspended")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another case")
    INVALID = "invalid", _("Invalid")


# States in which a unit holds the case and its clocks run.
HANDLING_STATES = frozenset({CaseState.DISPATCHED, CaseState.ACCEPTED})
# States that end the loop: nothing but reading afterwards (a merged case follows its primary).
FINAL_STATES = frozenset({CaseState.CLOSED, CaseState.INVALID})
# States whose deadlines the sweep watches (a return under review keeps the clock running by default).
CLOCK_STATES = frozenset({CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.RETURNED})


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    CO = "co", _("Co-handling unit")


class ReturnReason(models.TextChoices):
    WRONG_PLACE = "wrong_place", _("属地不符 — not in our area")
    UNCLEAR_OWNER = "unclear_owner", _("权属不清 — ownership unclear")
    OVERLAPPING = "overlapping", _("职能交叉 — overlapping duties")
    NOT_OUR_DUTY = "not_our_duty", _("非本单位职责 — not our duty")
    BEYOND_POWER = "beyond_power", _("超出处置能力 — beyond our power")
    INFO_MISSING = "info_missing", _("信息不全 — information missing")


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: sent to another unit")
    REJECTED = "rejected", _("Rejected: the unit keeps it")


class ApprovalKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")
    SUSPENSION = "suspension", _("Suspension")


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意 — satisfied")
    BASIC = "basic", _("基本满意 — basically satisfied")
    UNSATISFIED = "unsatisfied", _("不满意 — unsatisfied")


class InvalidReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    ABUSIVE = "abusive", _("Abusive")
    TEST = "test", _("Test")
    DUPLICATE_SPAM = "repeat", _("Repeated without new facts")


class PhotoStage(models.TextChoices):
    REPORT = "report", _("With the report")
    EVIDENCE = "evidence", _("Evidence of handling")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISPATCHED = "dispatched", _("Dispatched")
    CO_UNITS_SET = "co_units_set", _("Co-handling units set")
    ACCEPTED = "accepted", _("Accepted")
    CONTACTED = "contacted", _("Resident contacted")
    NOTE = "note", _("Progress note")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    VERIFICATION_FAILED = "verification_failed", _("Verification failed")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    RETURN_UPHELD = "return_upheld", _("Return upheld, re-dispatched")
    RETURN_REJECTED = "return_rejected", _("Return rejected")
    WHISTLE_BLOWN = "whistle_blown", _("Whistle blown")
    WHISTLE_REPORTED = "whistle_reported", _("Reported on site")
    WHISTLE_LATE = "whistle_late", _("Late to report")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVAL_DECIDED = "approval_decided", _("Approval decided")
    RESUMED = "resumed", _("Resumed")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    MERGED = "merged", _("Merged")
    DUPLICATE_ATTACHED = "duplicate_attached", _("Duplicate attached")
    INVALIDATED = "invalidated", _("Marked invalid")
    PERSONAL_DATA_VIEWED = "personal_data_viewed", _("Reporter's contact viewed")
