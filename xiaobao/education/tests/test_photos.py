"""Activity photos: the EXIF date read with Pillow, the mismatch rule, the content checks."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from xiaobao.education.photos import check_photo, mismatch, taken_on
from xiaobao.education.tests.routes_activities import jpeg


def test_exif_date_is_read():
    # given a JPEG taken on 12 March / when read / then its day
    assert taken_on(jpeg(dt.date(2026, 3, 12))) == dt.date(2026, 3, 12)


def test_no_exif_is_no_date():
    # given a JPEG without EXIF / when read / then no date
    assert taken_on(jpeg(None)) is None


def test_png_is_accepted():
    from PIL import Image

    # given a PNG / when checked / then it is a png
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    assert check_photo(buf.getvalue(), "a.png") == "png"


@pytest.mark.parametrize(
    "photo_day,held_on,flag",
    [
        (dt.date(2026, 3, 12), dt.date(2026, 3, 12), False),
        (dt.date(2026, 3, 13), dt.date(2026, 3, 12), False),  # one day: allowed
        (dt.date(2026, 3, 14), dt.date(2026, 3, 12), True),
        (dt.date(2025, 3, 12), dt.date(2026, 3, 12), True),
        (None, dt.date(2026, 3, 12), False),  # no date: "no date", not a mismatch
    ],
)
def test_mismatch_rule(photo_day, held_on, flag):
    # given a photo's day and the activity's day / when compared / then flagged beyond one day
    assert mismatch(photo_day, held_on) is flag


@pytest.mark.parametrize(
    "name,data",
    [
        ("a.gif", b"GIF89a"),  # not an allowed kind
        ("a.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),  # a PNG's bytes named .jpg
        ("a.jpg", b"\xff\xd8\xff" + b"\x00" * 20),  # JPEG magic but not decodable
        ("a.jpg", b""),
    ],
)
def test_bad_content_is_refused_on_photos(name, data):
    # given a file that is not what it says / when checked / then a field error on photos
    with pytest.raises(ValidationError) as exc:
        check_photo(data, name)
    assert "photos" in exc.value.message_dict
