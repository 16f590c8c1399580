from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from conftest import World
from linli.accounts.choices import Role
from linli.people.models import Person
from linli.projects import actions
from linli.projects.models import Project

COMMUNITY_A = "110101001001"
GRID_A = "110101001001001"
BUILDING_A = "110101001001001E01B01"


def jpeg(name: str = "p.jpg", size: tuple[int, int] = (40, 30)) -> Any:
    """A small JPEG with a camera model and a GPS position in its EXIF, as a phone sends it."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "LinliPhone X"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 54.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (116.0, 23.0, 0.0),
    }
    Image.new("RGB", size, "red").save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(world: World) -> Any:
    return world.users[Role.COMMUNITY_WORKER]


@pytest.fixture
def provider(world: World) -> Any:
    return world.users[Role.SERVICE_PROVIDER]


@pytest.fixture
def volunteer(world: World) -> Any:
    return world.users[Role.VOLUNTEER]


@pytest.fixture
def resident(world: World) -> Any:
    """Side A's resident, whose verified phone matches a registry record in side A's building."""
    user = world.users[Role.RESIDENT]
    Person.objects.create(name="甲居民", residency="resident", place=world.places[BUILDING_A], phone=user.phone)
    return user


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def make_project(world: World, actor: Any, title: str = "楼道加装扶手", place: str = COMMUNITY_A) -> Project:
    return actions.create_project(
        actor,
        title=title,
        goal="为老人加装扶手",
        place=world.places[place],
        deadline=in_days(30),
        budget="5000",
        resources=["焊工", "钢管"],
    )


@pytest.fixture
def draft(world: World, staff: Any) -> Project:
    return make_project(world, staff)


@pytest.fixture
def call(draft: Project, staff: Any) -> Project:
    return actions.publish_call(staff, draft)


@pytest.fixture(autouse=True)
def english_messages() -> Any:
    """Action tests match refusals by their English msgids; the pages are read in Chinese by the browser tests."""
    from django.utils import translation

    with translation.override("en"):
        yield
