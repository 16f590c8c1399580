from __future__ import annotations

from typing import Any

from rest_framework import serializers

from linli.orgs.models import Matter, Unit
from linli.places.models import Place


class PlaceSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    # Declared, not inferred: the inferred bounds follow the database backend (SQLite's integers are wider),
    # and the committed OpenAPI document must be the same whichever database generated it.
    households = serializers.IntegerField(min_value=0, max_value=2**31 - 1, allow_null=True, required=False)

    class Meta:
        model = Place
        fields = [
            "id",
            "code",
            "name",
            "level",
            "parent",
            "parent_code",
            "depth",
            "longitude",
            "latitude",
            "households",
            "geometry",
        ]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "department_type", "parent", "is_active"]


class MatterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Matter
        fields = [
            "id",
            "code",
            "name",
            "case_type",
            "major_class",
            "minor_class",
            "category",
            "keywords",
            "owner_level",
            "department_type",
            "contact_normal",
            "contact_urgent",
            "handle_normal",
            "handle_urgent",
            "is_complex",
            "is_utility",
            "is_disputed",
            "is_active",
        ]


class ResponsibilityQuery(serializers.Serializer):
    matter = serializers.CharField(required=False, allow_blank=True, help_text="matter code; blank = not on the list")
    place = serializers.CharField(help_text="place code")


class ResponsibilityAnswer(serializers.Serializer):
    unit = UnitSerializer(allow_null=True)
    reason = serializers.CharField()
    fallback = serializers.BooleanField()
    place = PlaceSerializer()


class ResolveQuery(serializers.Serializer):
    address = serializers.CharField(required=False, max_length=300)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if not attrs.get("address") and (attrs.get("lon") is None or attrs.get("lat") is None):
            raise serializers.ValidationError("请提供地址，或经度和纬度 / give an address, or lon and lat")
        return attrs


class GrantSerializer(serializers.Serializer):
    role = serializers.CharField()
    place = serializers.CharField(allow_null=True, help_text="place code, when the grant is over a place")
    unit = serializers.CharField(allow_null=True, help_text="unit code, when the grant is over a unit")
    valid_to = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    grants = GrantSerializer(many=True)


class DecideRequest(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    body = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    address = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, default=None)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, default=None)
    channel = serializers.ChoiceField(choices=["web", "hotline", "grid", "api", "import"], default="api")
    case_ref = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("title") or "").strip() and not (attrs.get("body") or "").strip():
            raise serializers.ValidationError("标题和正文不能都为空 / title or body is required")
        return attrs


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.CharField()
    category = serializers.CharField()
    confidence = serializers.FloatField()
    threshold = serializers.FloatField()
    place = serializers.CharField(source="place.code", allow_null=True, default=None)
    matter = serializers.CharField(source="matter.code", allow_null=True, default=None)
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    probabilities = serializers.DictField(child=serializers.FloatField())
    reasons = serializers.DictField()
    suggestions = serializers.ListField(child=serializers.DictField())
    model_version = serializers.IntegerField(source="model.version", allow_null=True, default=None)


class CorrectionRequest(serializers.Serializer):
    matter = serializers.CharField(required=False, allow_blank=True, help_text="matter code")
    category = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.CharField(help_text="unit code")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
