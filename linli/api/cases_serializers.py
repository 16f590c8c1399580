"""Cases in the REST API: how a case reads (summary, detail with its timeline) and what each step takes.

The reporter's name and phone are always masked here (the API has no reveal step; a page with its audited
reveal does that). A reader who may not change the case (its reporter) sees the public steps of the
timeline only (linli.cases.public).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from linli.cases.choices import ApprovalKind, InvalidReason, Rating, ReturnReason, Urgency
from linli.core.masking import mask_phone

NUMBER_PATTERN = r"^[0-9]{18}$"
CODE_LENGTH = 64  # the longest place, unit or matter code
CHANNELS = ["web", "api", "hotline", "grid"]
PHOTO_HELP = "base64 of a JPEG, PNG or WebP image; at most 9, each at most 10 MB"
# base64 of the largest photo the intake accepts (PHOTO_MAX_BYTES, 10 MB), with room for a data: prefix
PHOTO_CHARS = 14_000_100


def mask_name(name: str) -> str:
    return f"{name[:1]}{'*' * (len(name) - 1)}" if name else ""


class UnitRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CaseSummarySerializer(serializers.Serializer):
    number = serializers.CharField(help_text="the request number told to the resident (date and id)")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    channel = serializers.CharField()
    urgency = serializers.CharField()
    title = serializers.CharField()
    matter = serializers.CharField(source="matter.code", allow_null=True, default=None)
    matter_name = serializers.CharField(source="matter.name", allow_null=True, default=None)
    category = serializers.CharField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    lead_unit = UnitRef(allow_null=True)
    created_at = serializers.DateTimeField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    contact_due = serializers.DateTimeField(allow_null=True)
    handle_due = serializers.DateTimeField(allow_null=True)
    contact_overdue = serializers.BooleanField()
    handle_overdue = serializers.BooleanField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField()
    actor_label = serializers.CharField(help_text="who acted, as a unit or role; never a person's name")
    old_state = serializers.CharField()
    new_state = serializers.CharField()
    payload = serializers.DictField()
    hash = serializers.CharField()


class ReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = UnitRef()
    reason = serializers.CharField()
    explanation = serializers.CharField()
    returned_at = serializers.DateTimeField()
    outcome = serializers.CharField()
    final_unit = UnitRef(allow_null=True)


class ApprovalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    working_days = serializers.IntegerField()
    reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    state = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class WhistleCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = UnitRef()
    note = serializers.CharField()
    blown_at = serializers.DateTimeField()
    arrive_by = serializers.DateTimeField()
    reported_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()


class CaseDetailSerializer(CaseSummarySerializer):
    body = serializers.CharField()
    address = serializers.CharField()
    longitude = serializers.FloatField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    reporter_name = serializers.SerializerMethodField(help_text="masked")
    reporter_phone = serializers.SerializerMethodField(help_text="masked")
    accepted_at = serializers.DateTimeField(allow_null=True)
    contacted_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField()
    rating = serializers.CharField()
    resolved_by_rating = serializers.BooleanField(allow_null=True)
    rated_at = serializers.DateTimeField(allow_null=True)
    return_count = serializers.IntegerField()
    reopen_count = serializers.IntegerField()
    extension_count = serializers.IntegerField()
    invalid_reason = serializers.CharField()
    merged_into = serializers.CharField(source="merged_into.number", allow_null=True, default=None)
    co_units = UnitRef(many=True, source="current_co_units")
    photos = serializers.IntegerField(source="photo_count")
    returns = ReturnSerializer(many=True, source="visible_returns")
    approvals = ApprovalSerializer(many=True, source="visible_approvals")
    whistle_calls = WhistleCallSerializer(many=True, source="visible_calls")
    timeline = EventSerializer(many=True, source="visible_events")

    def get_reporter_name(self, case: Any) -> str:
        return mask_name(case.reporter_name)

    def get_reporter_phone(self, case: Any) -> str:
        return mask_phone(case.reporter_phone)


class CaseQuery(serializers.Serializer):
    state = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="states, comma separated")
    matter = serializers.CharField(required=False, allow_blank=True, help_text="matter code", max_length=CODE_LENGTH)
    place = serializers.CharField(
        required=False, allow_blank=True, help_text="place code: cases at it or under it", max_length=CODE_LENGTH
    )
    unit = serializers.CharField(required=False, allow_blank=True, help_text="lead unit code", max_length=CODE_LENGTH)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="words in the title or description"
    )


class SubmitBody(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    place = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="place code", max_length=CODE_LENGTH
    )
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")
    consent = serializers.BooleanField(default=False, help_text="consent to processing the personal data")
    urgency = serializers.ChoiceField(choices=Urgency.values, default=Urgency.NORMAL)
    matter = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="matter code", max_length=CODE_LENGTH
    )
    channel = serializers.ChoiceField(choices=CHANNELS, default="api")
    photos = serializers.ListField(
        child=serializers.CharField(max_length=PHOTO_CHARS),
        required=False,
        default=list,
        max_length=9,
        help_text=PHOTO_HELP,
    )


def codes(help_text: str, most: int) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=CODE_LENGTH),
        required=False,
        default=list,
        max_length=most,
        help_text=help_text,
    )


class DispatchBody(serializers.Serializer):
    unit = serializers.CharField(
        help_text="lead unit code (the assignee directory decides which)", max_length=CODE_LENGTH
    )
    co_units = codes("co-handling unit codes", 5)
    matter = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="matter code", max_length=CODE_LENGTH
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class CoUnitsBody(serializers.Serializer):
    co_units = codes("co-handling unit codes (replacing the current ones)", 5)


class ContactBody(serializers.Serializer):
    note = serializers.CharField(max_length=1000)


class NoteBody(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    public = serializers.BooleanField(default=False, help_text="shown to the resident and on Open311")


class ResolveBody(serializers.Serializer):
    answer = serializers.CharField(max_length=3000)
    photos = serializers.ListField(
        child=serializers.CharField(max_length=PHOTO_CHARS),
        required=False,
        default=list,
        max_length=9,
        help_text=PHOTO_HELP,
    )


class ReturnBody(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReturnReason.values)
    explanation = serializers.CharField(max_length=2000)
    suggested_unit = serializers.CharField(required=False, allow_blank=True, default="", max_length=CODE_LENGTH)


class ReviewReturnBody(serializers.Serializer):
    uphold = serializers.BooleanField()
    unit = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="the unit taking it", max_length=CODE_LENGTH
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    return_id = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="default: the pending one"
    )


class RequestApprovalBody(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApprovalKind.values)
    reason = serializers.CharField(max_length=2000)
    working_days = serializers.IntegerField(default=0, min_value=0, max_value=30)


class DecideApprovalBody(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    approval_id = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="default: the pending one"
    )


class WhistleBody(serializers.Serializer):
    units = serializers.ListField(child=serializers.CharField(max_length=CODE_LENGTH), min_length=1, max_length=10)
    note = serializers.CharField(max_length=2000)


class WhistleReportBody(serializers.Serializer):
    call_id = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="default: your unit's call"
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class EscalateBody(serializers.Serializer):
    why = serializers.CharField(max_length=1000)


class MergeBody(serializers.Serializer):
    into = serializers.RegexField(NUMBER_PATTERN, help_text="the number of the case this one duplicates")


class InvalidateBody(serializers.Serializer):
    reason = serializers.ChoiceField(choices=InvalidReason.values)
    explanation = serializers.CharField(max_length=1000)


class VerifyBody(serializers.Serializer):
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=1000)


class RateBody(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.values)
    resolved = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
