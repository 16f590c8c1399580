"""The place tree: city → district → street → community → grid → estate → building → unit → house.

`path` is a materialised path of zero-padded ids, so "everything under X" is one range scan on an index
(`path` between X.path and X.path followed by nines) instead of a recursion; digits only, so the range is
exact under any collation. The bounding box columns let point → grid look at a handful of candidate
polygons through an index before the exact point-in-polygon test.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.querysets import RestrictedQuerySet

from .choices import PlaceLevel

SEGMENT_WIDTH = 10
MAX_DEPTH = 12
PATH_LENGTH = SEGMENT_WIDTH * MAX_DEPTH


def path_segment(pk: int) -> str:
    return str(pk).zfill(SEGMENT_WIDTH)


class PlaceQuerySet(RestrictedQuerySet["Place"]):
    def under(self, place: Place, include_self: bool = True) -> PlaceQuerySet:
        return self.filter(subtree_q(place.path, include_self=include_self))


def subtree_bounds(path: str) -> tuple[str, str]:
    return path, path + "9" * (PATH_LENGTH - len(path))


def subtree_q(path: str, include_self: bool = True, field: str = "path") -> models.Q:
    low, high = subtree_bounds(path)
    lower = f"{field}__gte" if include_self else f"{field}__gt"
    return models.Q(**{lower: low, f"{field}__lte": high})


class Place(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=PlaceLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=PATH_LENGTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["level", "min_lon", "max_lon"], name="place_level_bbox_idx"),
            models.Index(fields=["parent", "name"], name="place_parent_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read off the path without a query."""
        segments = [self.path[i : i + SEGMENT_WIDTH] for i in range(0, len(self.path), SEGMENT_WIDTH)]
        return [int(s) for s in segments[:-1]]

    def ancestors(self) -> models.QuerySet[Place]:
        return Place.objects.filter(pk__in=self.ancestor_ids).order_by("depth")

    def lineage(self) -> list[Place]:
        return [*self.ancestors(), self]

    def ancestor_at(self, level: str) -> Place | None:
        if self.level == level:
            return self
        return self.ancestors().filter(level=level).first()
