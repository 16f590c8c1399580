"""The forms of the human intake channels: resident, hotline operator, grid worker.

They check the shape of what was typed (lengths, plain text, a place the person may pick); everything else —
consent, the place's level, photos, the phone number — is the intake action's own check, so that a page and
the API refuse the same things with the same words. Each form carries an idempotency key made when it is
rendered: a double tap or a retried POST finds the case the first one made.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from linli.dispatch.choices import Channel
from linli.orgs.models import Matter
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .actions.intake import Submission
from .choices import Urgency
from .validation import BODY_LIMIT, TITLE_LIMIT, check_free_text

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
# Where a grid worker files a report found on patrol: the grid itself or what stands in it.
FOUND_LEVELS = (PlaceLevel.GRID, PlaceLevel.ESTATE, PlaceLevel.BUILDING)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files from one input. Their content is checked by the intake action (linli.core.photos), from
    the bytes; here only how many."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > settings.PHOTO_MAX_COUNT:
            raise ValidationError(
                _("At most %(limit)d photos can be attached; %(count)d were sent."),
                code="photo_count",
                params={"limit": settings.PHOTO_MAX_COUNT, "count": len(files)},
            )
        return [super(PhotosField, self).clean(f, initial) for f in files]


class MatterField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.category} · {obj.name}"


def plain(value: str) -> None:
    check_free_text(value)


def deepest_pick(data: Any) -> Any:
    """The cascading picker sends one `place` per level; the deepest chosen is the last non-empty one."""
    if not isinstance(data, QueryDict) or len(data.getlist("place")) < 2:
        return data
    chosen = [v for v in data.getlist("place") if v]
    data = data.copy()
    data.setlist("place", chosen[-1:])
    return data


class RequestForm(forms.Form):
    channel = Channel.WEB

    title = forms.CharField(label=_("Title"), required=False, max_length=TITLE_LIMIT, validators=[plain])
    body = forms.CharField(
        label=_("What is the problem?"),
        max_length=BODY_LIMIT,
        validators=[plain],
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    photos = PhotosField(label=_("Photos (up to 9)"), required=False)
    place = forms.ModelChoiceField(label=_("Building or unit"), queryset=Place.objects.none(), required=False)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    address = forms.CharField(label=_("or the address"), required=False, max_length=300, validators=[plain])
    reporter_name = forms.CharField(label=_("Your name"), required=False, max_length=50, validators=[plain])
    reporter_phone = forms.CharField(
        label=_("Your phone"), required=False, max_length=20, widget=forms.TextInput(attrs={"type": "tel"})
    )
    consent = forms.BooleanField(
        label=_("I agree that my request, name and phone are processed to handle it"), required=False
    )
    idempotency_key = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        if args:
            args = (deepest_pick(args[0]), *args[1:])
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["place"].queryset = self.place_choices()  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def place_choices(self) -> QuerySet[Place]:
        return Place.objects.restrict(self.user, "pick").filter(is_active=True)

    def submission(self, *, with_photos: bool = True) -> Submission:
        data = self.cleaned_data
        return Submission(
            channel=self.channel,
            title=data.get("title") or "",
            body=data.get("body") or "",
            place=data.get("place"),
            longitude=data.get("longitude"),
            latitude=data.get("latitude"),
            address=data.get("address") or "",
            reporter_name=data.get("reporter_name") or "",
            reporter_phone=data.get("reporter_phone") or "",
            consent=bool(data.get("consent")),
            urgency=data.get("urgency") or Urgency.NORMAL,
            photos=list(data.get("photos") or []) if with_photos else [],
            matter=data.get("matter"),
            idempotency_key=data.get("idempotency_key") or "",
        )

    def take_errors(self, error: ValidationError) -> None:
        """Show the action's refusal next to the field it names. Only the photo check raises without naming
        a field (its messages name each photo by position), so unnamed errors belong to the photos."""
        if not hasattr(error, "error_dict"):
            self.add_error("photos" if "photos" in self.fields else None, error)
            return
        for field, errors in error.error_dict.items():
            target = field if field in self.fields else None
            if field == "location":  # the map point (or the photos' position): shown next to the map
                target = "longitude"
            self.add_error(target, errors)


class ResidentForm(RequestForm):
    """A resident asks in their own name; urgency is the dispatcher's judgement, not a box to tick."""


class HotlineForm(RequestForm):
    channel = Channel.HOTLINE

    reporter_phone = forms.CharField(
        label=_("Caller's phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    )
    reporter_name = forms.CharField(label=_("Caller's name"), required=False, max_length=50, validators=[plain])
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    matter = MatterField(label=_("Matter"), queryset=Matter.objects.none(), required=False)
    consent = forms.BooleanField(
        label=_("The caller agreed that the request and contact are processed"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["matter"].queryset = matter_choices(user)  # type: ignore[attr-defined]


class GridPlaceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A grid's places as a patrol knows them: buildings under their estate's name ("甲园小区 1号楼")."""

    def label_from_instance(self, obj: Any) -> str:
        if obj.level == PlaceLevel.BUILDING and obj.parent is not None:
            return f"{obj.parent.name} {obj.name}"
        return f"{obj.name}" if obj.level == PlaceLevel.GRID else f"· {obj.name}"


class FoundForm(RequestForm):
    """主动发现: a photo, where, and which matter; the words are optional (the matter says what it is)."""

    channel = Channel.GRID

    body = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=BODY_LIMIT,
        validators=[plain],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = PhotosField(label=_("Photo"), widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))
    place = GridPlaceField(label=_("or pick from my grid"), queryset=Place.objects.none(), required=False)
    matter = MatterField(label=_("Matter"), queryset=Matter.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["matter"].queryset = matter_choices(user)  # type: ignore[attr-defined]

    def place_choices(self) -> QuerySet[Place]:
        return (
            Place.objects.restrict(self.user, "view")
            .filter(is_active=True, level__in=FOUND_LEVELS)
            .select_related("parent")
            .order_by("path")
        )

    def submission(self, *, with_photos: bool = True) -> Submission:
        sub = super().submission(with_photos=with_photos)
        matter = self.cleaned_data["matter"]
        # No note: the matter's name says what was found, which is what a dispatcher reads first.
        sub.body = sub.body or matter.name
        sub.title = sub.title or matter.name
        return sub


def matter_choices(user: Any) -> QuerySet[Matter]:
    return Matter.objects.restrict(user, "view").filter(is_active=True).order_by("category", "code")


# --------------------------------------------------------------------------------------------------
# The cascading place picker and the map's outlines, from the places the person may pick.

PICK_STOP = PlaceLevel.BUILDING_UNIT  # no finer: a house number is the resident's own business


def _pickable(user: Any) -> QuerySet[Place]:
    return Place.objects.restrict(user, "pick").filter(is_active=True)


def _next_level(pickable: QuerySet[Place], place: Place) -> list[Place]:
    if place.level == PICK_STOP:
        return []
    if place.level == PlaceLevel.COMMUNITY:
        # Residents know their estate, not the grid it lies in: offer the estates below the grids.
        return list(pickable.under(place, include_self=False).filter(level=PlaceLevel.ESTATE).order_by("code"))  # type: ignore[attr-defined]
    return list(pickable.filter(parent=place).order_by("code"))


def picker_levels(user: Any, chosen: Place | None) -> list[dict[str, Any]]:
    """One select per level, from the first level with a choice to make down to the one below `chosen`.
    Each select's empty option carries its parent's id, so the deepest non-empty value is the pick."""
    pickable = _pickable(user)
    options = list(pickable.filter(parent__isnull=True).order_by("code"))
    while len(options) == 1 and options[0].level != PICK_STOP:  # 北京市 › 市辖区 › 东城区: no choice there
        options = _next_level(pickable, options[0])
    lineage = {*chosen.ancestor_ids, chosen.pk} if chosen is not None else set()
    levels: list[dict[str, Any]] = []
    parent: Place | None = None
    while options:
        selected = next((p for p in options if p.pk in lineage), None)
        levels.append({"options": options, "selected": selected, "parent": parent})
        if selected is None:
            break
        parent, options = selected, _next_level(pickable, selected)
    return levels


MAP_OUTLINES = 400


def map_outlines(user: Any) -> list[dict[str, Any]]:
    """The streets' outlines, for a person to see where to tap; the point itself is resolved on the server."""
    streets = _pickable(user).filter(level=PlaceLevel.STREET, geometry__isnull=False).order_by("code")
    return [{"name": s.name, "geometry": s.geometry} for s in streets[:MAP_OUTLINES] if s.geometry]
