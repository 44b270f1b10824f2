"""Every date shape the guide prints and production sends (docs/kaspi/api.md §3.3)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.kaspi.dates import parse_datetime

UTC5 = timezone(timedelta(hours=5))
UTC6 = timezone(timedelta(hours=6))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-08-09T18:31:42+06", datetime(2020, 8, 9, 18, 31, 42, tzinfo=UTC6)),
        ("2021-11-3T11:55:14.166+06:00", datetime(2021, 11, 3, 11, 55, 14, 166000, tzinfo=UTC6)),
        ("2021-12-08T11:35:48.1566667", datetime(2021, 12, 8, 11, 35, 48, 156666)),
        ("2025-10-22T17:10:50.717+05:00", datetime(2025, 10, 22, 17, 10, 50, 717000, tzinfo=UTC5)),
        ("2025-10-22T17:10:50Z", datetime(2025, 10, 22, 17, 10, 50, tzinfo=UTC)),
        (
            "2025-1-2T3:04:05-0330",
            datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(-timedelta(hours=3, minutes=30))),
        ),
    ],
)
def test_parses_every_shape(text: str, expected: datetime) -> None:
    value = parse_datetime(text)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


def test_offset_is_never_assumed() -> None:
    # No offset in the text: the value stays naive rather than pretending to know the zone.
    assert parse_datetime("2021-12-08T11:35:48").tzinfo is None
    # +05:00 and +06 are different instants for the same wall-clock time.
    assert parse_datetime("2025-01-01T12:00:00+05:00") != parse_datetime("2025-01-01T12:00:00+06")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2021-13-01T00:00:00",
        "2021-02-30T00:00:00",
        "2021-11-3",
        "2021-11-03T25:00:00",
        "2021-11-03T10:00:00+15:00",
        "2021-11-03T10:00:00+05:77",
    ],
)
def test_rejects_non_dates_with_the_text(text: str) -> None:
    with pytest.raises(ValueError, match=r"date|offset"):
        parse_datetime(text)


def test_rejects_non_text() -> None:
    with pytest.raises(ValueError):
        parse_datetime(12345)  # type: ignore[arg-type]
