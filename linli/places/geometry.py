"""GeoJSON in, checked: points and polygons in WGS-84 longitude/latitude, valid per shapely."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

ALLOWED_TYPES = {"Point", "Polygon", "MultiPolygon"}


@dataclass(frozen=True)
class CheckedGeometry:
    geojson: dict[str, Any]
    bbox: tuple[float, float, float, float]
    centroid: tuple[float, float]


def check_geometry(value: str | dict[str, Any] | None) -> CheckedGeometry | None:
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValidationError(_("Geometry is not valid JSON")) from None
    if not isinstance(value, dict):
        raise ValidationError(_("Geometry must be a GeoJSON object"))
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    if value.get("type") not in ALLOWED_TYPES:
        raise ValidationError(_("Geometry type must be Point, Polygon or MultiPolygon"))
    try:
        geom = shape(value)
    except Exception:  # shapely raises several types for malformed coordinates
        raise ValidationError(_("Geometry coordinates are malformed")) from None
    if geom.is_empty:
        raise ValidationError(_("Geometry is empty"))
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(_("Geometry coordinates must be longitude/latitude in degrees"))
    if not geom.is_valid:
        raise ValidationError(_("Polygon is not valid (it crosses itself or is not closed)"))
    centroid = geom.centroid if geom.geom_type != "Point" else geom
    return CheckedGeometry(
        geojson={"type": value["type"], "coordinates": value["coordinates"]},
        bbox=(min_lon, min_lat, max_lon, max_lat),
        centroid=(centroid.x, centroid.y),
    )


@lru_cache(maxsize=20_000)
def _shape_cached(serialized: str) -> BaseGeometry:
    return shape(json.loads(serialized))


def contains(geojson: dict[str, Any], lon: float, lat: float) -> bool:
    geom = _shape_cached(json.dumps(geojson, sort_keys=True))
    return bool(geom.covers(Point(lon, lat)))
