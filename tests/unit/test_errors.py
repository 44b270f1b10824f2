"""StatusCodes: both spellings, every docs/kaspi/api.md §9.1 code explained, unknown ones kept."""

import pytest

from kiosk.kaspi import errors

APPENDIX_3 = [
    0,
    -10000,
    -1501,
    -1502,
    -1503,
    -1601,
    -14000002,
    -99000002,
    -99000005,
    -99000006,
    990000018,
    990000026,
    990000028,
    990000033,
    -990000001,
    -990000002,
    -990000003,
    -990000011,
    -990000020,
    -999,
]


@pytest.mark.parametrize("code", APPENDIX_3)
def test_every_appendix_code_has_an_operator_message(code: int) -> None:
    text = errors.describe_code(code)
    assert "Unknown" not in text
    assert f"code {code}" in text


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        (9900000018, 990000018),
        (-990000005, -99000005),
        (-990000006, -99000006),
        (-9900000002, -990000002),
        (-990000002, -990000002),
        (-1601, -1601),
    ],
)
def test_both_spellings_map_to_one_code(printed: int, canonical: int) -> None:
    assert errors.normalize_code(printed) == canonical
    assert errors.ApiError(printed, "x").code == canonical
    assert "Unknown" not in errors.describe_code(printed)


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [(-99000001, -990000001), (9900000032, 990000032), (990000032, 990000032)],
)
def test_remote_payment_spellings_map_to_one_code(printed: int, canonical: int) -> None:
    """docs/kaspi/api.md §10.8: remote/cancel prints not-found as -99000001; remote create/cancel
    print 9900000032 and 990000032."""
    assert errors.normalize_code(printed) == canonical
    assert "Unknown" not in errors.describe_code(printed)


@pytest.mark.parametrize("code", [9900000029, 9900000031, 99000010, -1401, -1404, 990000032])
def test_remote_codes_without_a_meaning_keep_their_number(code: int) -> None:
    """The remote endpoints list these without a meaning: say so, keep the number and the
    server's message, never "Unknown"."""
    text = errors.describe_code(code, "Клиент не найден")
    assert "Unknown" not in text
    assert f"code {code}" in text and "Клиент не найден" in text
    assert "remote" in text.lower()


def test_unknown_code_keeps_number_and_server_message() -> None:
    exc = errors.ApiError(-12345, "Something new", request_id="abc")
    assert "-12345" in str(exc) and "Something new" in str(exc) and "abc" in str(exc)
    assert exc.code == -12345


def test_transient_classification() -> None:
    assert errors.ApiError(-999, None).transient
    assert not errors.ApiError(-1601, None).transient
    assert errors.ConnectError("x").transient
    assert errors.RequestTimeout("x").transient
    assert not errors.TlsError("x").transient
    assert errors.HttpError("x", status=503).transient
    assert errors.HttpError("x", status=200).transient  # garbled body
    assert not errors.HttpError("x", status=404).transient
    assert not errors.ProtocolError("x").transient


def test_request_id_is_in_every_error() -> None:
    for exc in (
        errors.ConnectError("down", request_id="r1"),
        errors.HttpError("bad", status=500, request_id="r1"),
        errors.ApiError(-1601, None, request_id="r1"),
    ):
        assert "X-Request-ID r1" in str(exc)
        assert exc.request_id == "r1"
