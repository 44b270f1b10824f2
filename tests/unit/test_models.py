"""Typed answers: required fields checked, unknown fields kept, the link's other names."""

from decimal import Decimal

import pytest

from kiosk.kaspi import models
from kiosk.kaspi.errors import ProtocolError

QR = {
    "QrToken": "https://qr.kaspi.kz/abc",
    "ExpireDate": "2025-10-22T17:10:50.717+05:00",
    "QrPaymentId": 15,
    "PaymentMethods": ["Gold", "Red", "Loan"],
    "QrPaymentBehaviorOptions": {
        "StatusPollingInterval": 5,
        "QrCodeScanWaitTimeout": 180,
        "PaymentConfirmationTimeout": 65,
    },
}


def test_qr_payment() -> None:
    p = models.QrPayment.from_data(QR)
    assert p.payment_id == 15
    assert p.payment_methods == ("Gold", "Red", "Loan")
    assert (p.behavior.poll_interval, p.behavior.scan_timeout, p.behavior.confirm_timeout) == (
        5,
        180,
        65,
    )
    assert p.expire_date.utcoffset() is not None


def test_link_payment_uses_its_own_field_names() -> None:
    data = {
        "PaymentLink": "https://pay.kaspi.kz/pay/x",
        "ExpireDate": "2020-08-09T18:31:42+06",
        "PaymentId": 16,
        "PaymentMethods": ["Gold"],
        "PaymentBehaviorOptions": {
            "StatusPollingInterval": 5,
            "LinkActivationWaitTimeout": 180,
            "PaymentConfirmationTimeout": 65,
        },
    }
    p = models.QrPayment.from_link_data(data)
    assert p.is_link and p.payment_id == 16 and p.behavior.scan_timeout == 180
    with pytest.raises(ProtocolError, match="QrPayment"):
        models.QrPayment.from_data(data)


def test_link_payment_accepts_the_guides_other_timeout_name() -> None:
    """The guide's text calls the link's first stage QrCodeScanWaitTimeout, its tables
    LinkActivationWaitTimeout (docs/kaspi/api.md §10.6): either name is the first-stage timeout."""
    data = {
        "PaymentLink": "https://pay.kaspi.kz/pay/x",
        "ExpireDate": "2020-08-09T18:31:42+06",
        "PaymentId": 16,
        "PaymentBehaviorOptions": {
            "StatusPollingInterval": 5,
            "QrCodeScanWaitTimeout": 120,
            "PaymentConfirmationTimeout": 65,
        },
    }
    p = models.QrPayment.from_link_data(data)
    assert p.behavior.scan_timeout == 120
    del data["PaymentBehaviorOptions"]["QrCodeScanWaitTimeout"]  # type: ignore[attr-defined]
    with pytest.raises(ProtocolError, match="LinkActivationWaitTimeout"):
        models.QrPayment.from_link_data(data)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"QrPaymentId": None}, "QrPaymentId is missing"),
        ({"QrPaymentId": "abc"}, "QrPaymentId is not valid"),
        ({"QrPaymentId": True}, "QrPaymentId"),
        ({"PaymentMethods": "Gold"}, "PaymentMethods"),
        (
            {
                "QrPaymentBehaviorOptions": {
                    "StatusPollingInterval": 0,
                    "QrCodeScanWaitTimeout": 1,
                    "PaymentConfirmationTimeout": 1,
                }
            },
            "StatusPollingInterval",
        ),
        ({"QrPaymentBehaviorOptions": None}, "QrPaymentBehaviorOptions"),
    ],
)
def test_bad_qr_answers_are_protocol_errors(change: dict, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        models.QrPayment.from_data({**QR, **change}, "rid-1")


def test_status_keeps_unknown_fields_and_unknown_statuses() -> None:
    s = models.StatusReport.from_data(
        {"Status": "Processed", "TransactionId": "77", "LoanTerm": 3, "ProductType": "Loan"}
    )
    assert s.status == "Processed"
    assert s.extra == {"TransactionId": "77", "LoanTerm": 3, "ProductType": "Loan"}
    assert models.StatusReport.from_data({"Status": "RemotePaymentCreated"}).status == (
        "RemotePaymentCreated"
    )


def test_details_amounts_are_exact() -> None:
    d = models.PaymentDetails.from_data(
        {
            "QrPaymentId": 501020796,
            "TotalAmount": 11.10,
            "AvailableReturnAmount": "0.10",
            "TransactionDate": "2021-11-3T11:55:14.166+06:00",
        }
    )
    assert d.total_amount == Decimal("11.1") and d.available_return_amount == Decimal("0.10")


def test_return_models() -> None:
    r = models.ReturnQr.from_data(
        {
            "QrToken": "t",
            "ExpireDate": "2021-12-08T11:35:48.1566667",
            "QrReturnId": 13,
            "QrReturnBehaviorOptions": {
                "QrCodeScanEventPollingInterval": 5,
                "QrCodeScanWaitTimeout": 180,
            },
        }
    )
    assert r.return_id == 13 and r.poll_interval == 5
    ops = models.list_of(
        models.ReturnOperation.from_data,
        [
            {
                "QrPaymentId": 900077110,
                "TransactionDate": "2021-12-08T11:35:48.1566667",
                "Amount": 1.00,
            }
        ],
        "ops",
        None,
    )
    assert ops[0].amount == Decimal("1.0")
    with pytest.raises(ProtocolError, match="not a list"):
        models.list_of(models.ReturnOperation.from_data, {"x": 1}, "ops", None)


def test_device_token_may_be_a_number() -> None:
    assert models.Fields({"DeviceToken": 321}, "x", None).text("DeviceToken") == "321"


@pytest.mark.parametrize("expire", ["2020-01-16T10:30:00+6", None, "soon", 17])
def test_expire_date_is_advisory_one_digit_offsets_read_and_odd_shapes_ignored(
    expire: object,
) -> None:
    data = {**QR, "ExpireDate": expire} if expire is not None else dict(QR)
    data.pop("ExpireDate", None) if expire is None else None
    payment = models.QrPayment.from_data(data, "rid-1")
    if expire == "2020-01-16T10:30:00+6":
        assert payment.expire_date is not None and payment.expire_date.utcoffset() is not None
    else:
        assert payment.expire_date is None
    assert "ExpireDate" not in payment.extra
