from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    ESTATE = "estate", _("Estate")
    BUILDING = "building", _("Building")
    BUILDING_UNIT = "building_unit", _("Building unit")
    HOUSE = "house", _("House")


# Depth order of the tree; a child is always strictly deeper than its parent.
LEVEL_RANK = {level: rank for rank, level in enumerate(PlaceLevel.values)}
ADMINISTRATIVE_LEVELS = (
    PlaceLevel.PROVINCE,
    PlaceLevel.CITY,
    PlaceLevel.DISTRICT,
    PlaceLevel.STREET,
    PlaceLevel.COMMUNITY,
)
