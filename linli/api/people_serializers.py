"""How the registry reads in the REST API: persons, households, houses and care tags, always masked.

Personal fields go through linli.people.presenting, the one masker the pages and exports use too: the API
never answers with a clear identity number or phone except from the reveal endpoint, which logs the view.
A person named inside another record (a household member, an owner, a tenant) is masked the same way.
Free text a person wrote about someone (a note) can hold numbers too, so it is masked like the public board's.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from linli.core.masking import mask_in_text
from linli.people.choices import (
    CareTagKind,
    Gender,
    HouseholdKind,
    HouseUse,
    IdType,
    Relation,
    Residency,
)
from linli.people.presenting import REVEALABLE, masked

ID_MAX = 2**31 - 1  # declared bounds: the document must not depend on the database that generated it


def identifier(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


class PlaceRef(serializers.Serializer):
    id = identifier()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class PersonRef(serializers.Serializer):
    """A person as another record names them: the masked name only."""

    id = identifier()
    name = serializers.SerializerMethodField(help_text="masked for minors and sensitive records")
    sensitive = serializers.BooleanField(source="is_sensitive")

    def get_name(self, person: Any) -> str:
        return masked(person, "name")


class PersonSummarySerializer(serializers.Serializer):
    id = identifier()
    name = serializers.SerializerMethodField(help_text="masked for minors and sensitive records")
    id_type = serializers.ChoiceField(choices=IdType.choices)
    id_number = serializers.SerializerMethodField(help_text="masked; POST …/reveal/ for the clear value (logged)")
    phone = serializers.SerializerMethodField(help_text="masked; POST …/reveal/ for the clear value (logged)")
    birth_date = serializers.SerializerMethodField(help_text="YYYY-MM-DD, or the year alone for sensitive records")
    gender = serializers.ChoiceField(choices=[("", "unknown"), *Gender.choices])
    residency = serializers.ChoiceField(choices=Residency.choices)
    residency_label = serializers.CharField(source="get_residency_display")
    place = PlaceRef(help_text="where the person lives: a house, or the community when no house is known")
    arrived_on = serializers.DateField(allow_null=True)
    left_on = serializers.DateField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="lives here now (has not left)")
    sensitive = serializers.BooleanField(source="is_sensitive", help_text="a minor's or a record marked sensitive")
    next_visit_due = serializers.DateField(allow_null=True)

    def get_name(self, person: Any) -> str:
        return masked(person, "name")

    def get_id_number(self, person: Any) -> str:
        return masked(person, "id_number")

    def get_phone(self, person: Any) -> str:
        return masked(person, "phone")

    def get_birth_date(self, person: Any) -> str:
        return masked(person, "birth_date")

    def get_current(self, person: Any) -> bool:
        return person.left_on is None


class TagSerializer(serializers.Serializer):
    id = identifier()
    tag = serializers.ChoiceField(choices=CareTagKind.choices)
    tag_label = serializers.CharField(source="get_tag_display")
    # DRF's metaclass takes declared fields off the class, so these names do not shadow Field.source or
    # Serializer.fields at run time; only the type checker sees the clash.
    source = serializers.CharField()  # type: ignore[assignment]
    source_label = serializers.CharField(source="get_source_display")
    source_note = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    in_force = serializers.SerializerMethodField()

    def get_in_force(self, tag: Any) -> bool:
        return bool(tag.in_force())


class MembershipSerializer(serializers.Serializer):
    """A person's place in a household, seen from the person."""

    id = identifier()
    household = identifier(source="household_id")
    number = serializers.CharField(source="household.number")
    relation = serializers.ChoiceField(choices=Relation.choices)
    relation_label = serializers.CharField(source="get_relation_display")
    joined_on = serializers.DateField(allow_null=True)
    left_on = serializers.DateField(allow_null=True)


class PersonDetailSerializer(PersonSummarySerializer):
    ethnicity = serializers.CharField()
    note = serializers.SerializerMethodField(help_text="numbers in it masked")
    marked_sensitive = serializers.BooleanField()
    visit_every_days = serializers.IntegerField(allow_null=True, min_value=0, max_value=32767)
    last_visited_at = serializers.DateTimeField(allow_null=True)
    households = MembershipSerializer(many=True, source="visible_memberships", help_text="current and past")
    care_tags = TagSerializer(many=True, source="visible_tags", help_text="in force now")
    owns = serializers.ListField(child=identifier(), source="visible_owned", help_text="houses owned now (ids)")
    rents = serializers.ListField(child=identifier(), source="visible_rented", help_text="houses rented now (ids)")

    def get_note(self, person: Any) -> str:
        return mask_in_text(person.note)


class MemberSerializer(serializers.Serializer):
    """A household's member, seen from the household: the person masked."""

    id = identifier()
    person = PersonRef()
    relation = serializers.ChoiceField(choices=Relation.choices)
    relation_label = serializers.CharField(source="get_relation_display")
    joined_on = serializers.DateField(allow_null=True)
    left_on = serializers.DateField(allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, member: Any) -> bool:
        return member.left_on is None


class HouseholdSummarySerializer(serializers.Serializer):
    id = identifier()
    number = serializers.CharField()
    kind = serializers.CharField(help_text=" or ".join(HouseholdKind.values))
    kind_label = serializers.CharField(source="get_kind_display")
    house = PlaceRef()
    formed_on = serializers.DateField(allow_null=True)
    dissolved_on = serializers.DateField(allow_null=True)


class HouseholdDetailSerializer(HouseholdSummarySerializer):
    members = MemberSerializer(many=True, source="visible_members", help_text="current and past members")


class OwnerSerializer(serializers.Serializer):
    id = identifier()
    person = PersonRef(allow_null=True, help_text="a registered owner (masked), or null for an organisation")
    organisation = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=4)
    area = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True, help_text="exclusive area (m²)")
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)


class TenantSerializer(serializers.Serializer):
    id = identifier()
    person = PersonRef()
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)


class HouseSummarySerializer(serializers.Serializer):
    id = identifier(source="place_id", help_text="the house's place id")
    code = serializers.CharField(source="place.code")
    name = serializers.CharField(source="place.name")
    area = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True, help_text="floor area (m²)")
    use = serializers.ChoiceField(choices=HouseUse.choices)
    use_label = serializers.CharField(source="get_use_display")


class HouseDetailSerializer(HouseSummarySerializer):
    owners = OwnerSerializer(many=True, source="visible_owners", help_text="current and past")
    tenants = TenantSerializer(many=True, source="visible_tenants", help_text="current and past")
    households = HouseholdSummarySerializer(many=True, source="visible_households")


class QueryId(serializers.IntegerField):
    """An id in the query string: an empty value is refused like any other non-number (DRF would drop it)."""

    def get_value(self, dictionary: Any) -> Any:
        return dictionary[self.field_name] if self.field_name in dictionary else serializers.empty


def place_filter(help_text: str) -> QueryId:
    return QueryId(required=False, min_value=1, max_value=ID_MAX, help_text=help_text)


class PersonQuery(serializers.Serializer):
    place = place_filter("place id: people living at it or under it")
    tag = serializers.ChoiceField(
        choices=CareTagKind.values, required=False, allow_blank=True, help_text="with this care tag in force"
    )
    residency = serializers.ChoiceField(choices=Residency.values, required=False, allow_blank=True)
    current = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: living here now; false: left"
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="exact phone number (found by its keyed digest)"
    )
    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="exact identity number (found by its keyed digest)"
    )
    id_type = serializers.ChoiceField(
        choices=IdType.values,
        default=IdType.RESIDENT_ID,
        allow_blank=True,
        help_text="the document `id_number` is from",
    )


class HouseholdQuery(serializers.Serializer):
    place = place_filter("place id: households in houses at it or under it")


class HouseQuery(serializers.Serializer):
    place = place_filter("place id: houses at it or under it")
    use = serializers.ChoiceField(choices=HouseUse.values, required=False, allow_blank=True)


class RevealBody(serializers.Serializer):
    fields = serializers.ListField(  # type: ignore[assignment]  # see TagSerializer.source
        child=serializers.ChoiceField(choices=list(REVEALABLE)),
        min_length=1,
        max_length=len(REVEALABLE),
        default=list(REVEALABLE),
        help_text="which numbers to show in the clear",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="why you need them; required for minors' and sensitive records",
    )


class RevealedSerializer(serializers.Serializer):
    id = identifier()
    name = serializers.CharField()
    birth_date = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)


class RegisterBody(serializers.Serializer):
    """A new person; every field is checked by linli.people.validation, the check every channel uses."""

    place = identifier(help_text="place id of the house (or the community) the person lives at")
    # Blank is checked by the registry's validator, so that every field's error comes back at once.
    name = serializers.CharField(allow_blank=True, max_length=200)
    id_type = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    gender = serializers.CharField(required=False, allow_blank=True, max_length=16, default="")
    birth_date = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")
    ethnicity = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    residency = serializers.CharField(
        allow_blank=True, max_length=20, help_text="registered, resident, floating or overseas (or 户籍, 常住 …)"
    )
    arrived_on = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    marked_sensitive = serializers.BooleanField(default=False)
