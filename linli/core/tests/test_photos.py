"""Photo checks on real images made in memory with Pillow: location read, metadata gone, bad files refused."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms

from linli.core.photos import CleanPhoto, check_photos

CAMERA_MODEL = "SecretModel-X9"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">owner-secret-xmp</x:xmpmeta>'
CJK = re.compile(r"[\u4e00-\u9fff]")


def _image_bytes(size=(2, 1), fmt="JPEG", mode="RGB", color="red", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def _noise_jpeg(size=(200, 200)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def _phone_exif(lat_ref="N", lon_ref="E", orientation=6) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "LinliPhone"
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    exif[ExifTags.Base.DateTime] = "2026:05:01 10:00:00"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Artist] = "Zhang San"
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.MakerNote: b"maker-note-serial-123", ExifTags.Base.UserComment: b"hi"}
    # Beijing, Tian'anmen: 39 deg 54' 27" N, 116 deg 23' 51" E.
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: lat_ref,
        ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
        ExifTags.GPS.GPSLongitudeRef: lon_ref,
        ExifTags.GPS.GPSLongitude: (116.0, 23.0, 51.0),
    }
    return exif


def _phone_jpeg(**exif_args) -> bytes:
    return _image_bytes((2, 1), "JPEG", exif=_phone_exif(**exif_args), comment=b"owner comment", xmp=XMP)


def _assert_bare(photo: CleanPhoto) -> None:
    reopened = Image.open(io.BytesIO(photo.content))
    assert reopened.format == photo.format
    assert dict(reopened.getexif()) == {}
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"):
        assert key not in reopened.info
    for secret in (CAMERA_MODEL.encode(), b"LinliPhone", b"owner-secret-xmp", b"maker-note", b"owner comment"):
        assert secret not in photo.content


def _refusal(files) -> ValidationError:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        check_photos(files)
    return caught.value


def _where(error: ValidationError) -> tuple[str | None, object]:
    """The error's code and the position of the file it names."""
    return error.code, (error.params or {}).get("position")


def test_phone_photo_gives_its_location_upright_and_without_metadata():
    original = _phone_jpeg()
    assert CAMERA_MODEL.encode() in original and b"owner-secret-xmp" in original  # the test's premise

    [photo] = check_photos([SimpleUploadedFile("IMG_0001.jpg", original, "image/jpeg")])

    assert photo.location is not None
    lon, lat = photo.location
    assert lon == pytest.approx(116 + 23 / 60 + 51 / 3600, abs=1e-6)
    assert lat == pytest.approx(39 + 54 / 60 + 27 / 3600, abs=1e-6)
    assert (photo.format, photo.content_type, photo.extension) == ("JPEG", "image/jpeg", ".jpg")
    assert (photo.width, photo.height) == (1, 2)  # orientation 6 turned the 2x1 picture upright
    assert Image.open(io.BytesIO(photo.content)).size == (1, 2)
    _assert_bare(photo)


def test_south_and_west_are_negative():
    [photo] = check_photos([_phone_jpeg(lat_ref="S", lon_ref="W")])
    assert photo.location is not None
    lon, lat = photo.location
    assert lon < -116 and lat < -39


def test_no_gps_or_null_island_gives_no_location():
    exif = _phone_exif()
    exif[ExifTags.IFD.GPSInfo] = {2: (0.0, 0.0, 0.0), 4: (0.0, 0.0, 0.0)}
    [plain, null_island] = check_photos([_image_bytes(), _image_bytes(exif=exif)])
    assert plain.location is None and null_island.location is None


def test_png_and_webp_keep_their_type_and_lose_their_metadata():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    png = _image_bytes((3, 2), "PNG", "RGBA", (0, 0, 255, 128), exif=_phone_exif(), icc_profile=icc)
    webp = _image_bytes((3, 2), "WEBP", exif=_phone_exif(orientation=1), xmp=XMP)
    photos = check_photos([io.BytesIO(png), io.BytesIO(webp)])
    assert [(p.format, p.width, p.height) for p in photos] == [("PNG", 2, 3), ("WEBP", 3, 2)]
    assert Image.open(io.BytesIO(photos[0].content)).mode == "RGBA"  # transparency kept
    assert all(p.location is not None for p in photos)
    for photo in photos:
        _assert_bare(photo)


def test_file_name_and_content_type_are_not_trusted():
    png = SimpleUploadedFile("photo.jpg", _image_bytes(fmt="PNG"), "image/jpeg")
    [photo] = check_photos([png])
    assert photo.format == "PNG"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"I am a text file pretending to be a photo\n" * 20, id="text"),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", id="pdf"),
        pytest.param(b"", id="empty"),
        pytest.param(_noise_jpeg()[:1500], id="truncated-jpeg"),
        pytest.param(_image_bytes(fmt="GIF"), id="gif"),
        pytest.param(_image_bytes(fmt="BMP"), id="bmp"),
    ],
)
def test_fake_damaged_or_unsupported_files_are_refused_by_position(data):
    error = _refusal([_image_bytes(), SimpleUploadedFile("x.jpg", data, "image/jpeg")])
    [problem] = error.error_list
    assert _where(problem) == ("photo_invalid", 2)
    assert "2" in error.messages[0] and CJK.search(error.messages[0])


def test_oversized_file_is_refused_before_it_is_parsed():
    too_big = b"\xff\xd8\xff\xe0" + b"\0" * (10 * 1024 * 1024)  # default limit 10 MB, one file over it
    error = _refusal([SimpleUploadedFile("big.jpg", too_big, "image/jpeg")])
    assert _where(error.error_list[0]) == ("photo_too_large", 1)
    assert CJK.search(error.messages[0]) and "10" in error.messages[0]


def test_byte_limit_is_a_setting(settings):
    settings.PHOTO_MAX_BYTES = 1000
    photo = _noise_jpeg()
    assert len(photo) > 1000
    assert _refusal([photo]).error_list[0].code == "photo_too_large"


def _png_claiming(width: int, height: int) -> bytes:
    """A real, tiny PNG whose header claims the given size: a bomb from its header alone, built cheaply."""
    data = bytearray(_image_bytes((1, 1), "PNG", "1"))
    ihdr = bytearray(data[12:29])  # chunk type + 13 bytes of header data
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


@pytest.mark.parametrize("side", [20_000, 8_000])  # past Pillow's own bomb limit, and past only ours (50 MP)
def test_pixel_bomb_is_refused_from_its_header(side):
    error = _refusal([_png_claiming(side, side)])
    assert error.error_list[0].code == "photo_too_many_pixels"
    assert CJK.search(error.messages[0])


def test_pixel_limit_is_a_setting(settings):
    settings.PHOTO_MAX_PIXELS = 99
    assert _refusal([_image_bytes((10, 10))]).error_list[0].code == "photo_too_many_pixels"


def test_ten_photos_are_refused_nine_are_taken():
    photo = _image_bytes()
    assert len(check_photos([photo] * 9)) == 9
    error = _refusal([photo] * 10)
    assert error.error_list[0].code == "photo_count" and CJK.search(error.messages[0])


def test_one_bad_photo_refuses_the_whole_set_and_names_every_bad_one():
    good = _phone_jpeg()
    error = _refusal([good, b"not an image", good, _noise_jpeg()[:900]])
    assert [_where(e) for e in error.error_list] == [("photo_invalid", 2), ("photo_invalid", 4)]


def test_a_file_already_read_by_a_form_is_read_from_its_start():
    upload = SimpleUploadedFile("a.jpg", _phone_jpeg(), "image/jpeg")
    upload.read()
    assert check_photos([upload])[0].location is not None


WRITABLE_MODES = {"JPEG": {"L", "RGB", "CMYK"}, "PNG": {"1", "L", "RGB", "RGBA", "P"}, "WEBP": {"RGB", "RGBA"}}


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    width=st.integers(1, 48),
    height=st.integers(1, 48),
    mode=st.sampled_from(["1", "L", "RGB", "RGBA", "P", "CMYK"]),
    fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]),
    orientation=st.integers(1, 8),
    seed=st.binary(min_size=1, max_size=64),
)
def test_any_small_image_round_trips_upright_and_bare(width, height, mode, fmt, orientation, seed):
    pixels = (seed * (width * height * 4 // len(seed) + 1))[: width * height * 4]
    image = Image.frombytes("RGBA", (width, height), pixels).convert(mode)
    if mode not in WRITABLE_MODES[fmt]:
        image = image.convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)

    [photo] = check_photos([out.getvalue()])

    expected = (height, width) if orientation >= 5 else (width, height)
    assert (photo.width, photo.height) == expected
    reopened = Image.open(io.BytesIO(photo.content))
    reopened.load()
    assert reopened.size == expected and reopened.format == fmt
    _assert_bare(photo)
