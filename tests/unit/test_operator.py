"""The operator's pure parts: the return QR's watch, the checks before a refund, the sentences."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kiosk.i18n import LANGS, TEXTS
from kiosk.i18n.refusal import OperatorError
from kiosk.journal import RefundPending
from kiosk.journal.refunds import RefundRecord, RefundState
from kiosk.kaspi import errors
from kiosk.kaspi.models import PaymentDetails, ReturnOperation, ReturnQr
from kiosk.kaspi.settings import ConfigError
from kiosk.operator.errors import code_sentence, explain
from kiosk.refund.plan import parse_amount, plan_refund, require_refunds
from kiosk.refund.steps import ReturnVerdict, ReturnWatch, choose_payment, refused_for_sure

#: Every code docs/kaspi/api.md lists for the operator's calls (tradepoints, device/register,
#: device/delete, return/create, return/status, return/operations, payment/details,
#: payment/return), in every spelling the guide prints (§9.2).
OPERATOR_CALL_CODES = {
    -999,
    -10000,
    -14000002,
    -1503,
    -99000002,
    990000026,
    -1501,
    -1502,
    -990000002,
    9900000018,
    990000018,
    -1601,
    -990000005,
    -990000006,
    -990000001,
    -990000003,
    -990000011,
    -990000020,
}


def return_qr(interval: float = 5, timeout: float = 180) -> ReturnQr:
    return ReturnQr(
        return_id=42,
        qr_token="token",
        expire_date=datetime(2026, 1, 1, tzinfo=UTC),
        poll_interval=interval,
        scan_timeout=timeout,
    )


# --- the return QR's watch ------------------------------------------------------------------


def test_the_watch_reads_at_once_then_at_the_interval_from_the_send_time() -> None:
    watch = ReturnWatch(return_qr(5, 180), now=1000.0)
    assert watch.read_due(1000.0)
    watch.on_read_sent(1000.0)
    assert watch.next_read_in(1000.5) is None  # never two reads at once
    assert watch.on_status("QrTokenCreated", 1002.0) is ReturnVerdict.WAITING
    assert watch.next_read_in(1002.0) == pytest.approx(3.0)  # 1005 - 1002
    assert not watch.read_due(1004.9)
    assert watch.read_due(1005.0)


def test_customer_identity_obtained_ends_the_watch() -> None:
    watch = ReturnWatch(return_qr(), now=0.0)
    watch.on_read_sent(0.0)
    assert watch.on_status("CustomerIdentityObtained", 0.1) is ReturnVerdict.IDENTIFIED
    assert watch.next_read_in(0.2) is None


def test_error_ends_the_watch_as_failed() -> None:
    watch = ReturnWatch(return_qr(), now=0.0)
    watch.on_read_sent(0.0)
    assert watch.on_status("Error", 0.1) is ReturnVerdict.FAILED


def test_one_last_read_at_the_deadline_catches_a_scan_in_the_last_interval() -> None:
    watch = ReturnWatch(return_qr(5, 12), now=0.0)
    for sent in (0.0, 5.0, 10.0):
        assert watch.read_due(sent)
        watch.on_read_sent(sent)
        assert watch.on_status("QrTokenCreated", sent + 0.1) is ReturnVerdict.WAITING
    # 15 would be past the deadline (12): the last read is at the deadline itself
    assert watch.next_read_in(10.1) == pytest.approx(1.9)
    watch.on_read_sent(12.0)
    assert watch.on_status("CustomerIdentityObtained", 12.1) is ReturnVerdict.IDENTIFIED


def test_a_read_at_the_deadline_still_not_scanned_expires_the_watch() -> None:
    watch = ReturnWatch(return_qr(5, 7), now=0.0)
    watch.on_read_sent(0.0)
    watch.on_status("QrTokenCreated", 0.1)
    watch.on_read_sent(5.0)
    watch.on_status("QrTokenCreated", 5.1)
    assert watch.next_read_in(5.1) == pytest.approx(1.9)
    watch.on_read_sent(7.0)
    assert watch.on_status("QrTokenCreated", 7.1) is ReturnVerdict.EXPIRED


def test_failed_reads_are_tried_again_and_a_failed_last_one_is_unreadable() -> None:
    watch = ReturnWatch(return_qr(1, 2), now=0.0)
    watch.on_read_sent(0.0)
    assert watch.on_status(None, 0.5) is ReturnVerdict.WAITING
    watch.on_read_sent(1.0)
    assert watch.on_status(None, 1.5) is ReturnVerdict.WAITING
    watch.on_read_sent(2.0)
    assert watch.on_status(None, 2.5) is ReturnVerdict.UNREADABLE


# --- the checks before payment/return -------------------------------------------------------


def details(available: str, total: str = "500") -> PaymentDetails:
    return PaymentDetails(700, Decimal(total), Decimal(available), None)


def test_an_amount_above_the_available_one_is_refused() -> None:
    with pytest.raises(OperatorError) as caught:
        plan_refund(details("300"), Decimal("300.01"))
    assert caught.value.message_id == "problem.refund.above_available"
    assert "300.01" in caught.value.text("en") and "300" in caught.value.text("kk")


def test_the_whole_available_amount_and_a_part_are_planned() -> None:
    assert plan_refund(details("300"), Decimal("300")).amount == Decimal("300")
    plan = plan_refund(details("300"), Decimal("0.01"), return_id=9, sale_id=3)
    assert (plan.payment_id, plan.return_id, plan.sale_id) == (700, 9, 3)
    assert plan.available == Decimal("300")


@pytest.mark.parametrize(
    ("amount", "available", "message_id"),
    [
        ("0", "10", "problem.refund.zero"),
        ("-5", "10", "problem.refund.zero"),
        ("1.001", "10", "problem.refund.tiyn"),
        ("1", "0", "problem.refund.nothing_left"),
    ],
)
def test_nothing_the_bank_must_not_see_is_planned(
    amount: str, available: str, message_id: str
) -> None:
    with pytest.raises(OperatorError) as caught:
        plan_refund(details(available), Decimal(amount))
    assert caught.value.message_id == message_id


def test_a_purchase_not_in_the_customers_list_is_refused() -> None:
    ops = [ReturnOperation(701, None, Decimal("5")), ReturnOperation(702, None, Decimal("6"))]
    assert choose_payment(ops, 702).amount == Decimal("6")
    with pytest.raises(OperatorError) as caught:
        choose_payment(ops, 700)
    assert caught.value.message_id == "problem.refund.not_in_list"
    with pytest.raises(OperatorError):
        plan_refund(details("300"), Decimal("1"), operations=ops)


@pytest.mark.parametrize(
    ("text", "value"), [("1250", "1250"), ("99,5", "99.5"), (" 7.25 ", "7.25")]
)
def test_keypad_amounts_are_parsed(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "0", "-1", "1.234", "NaN", "Infinity"])
def test_bad_keypad_amounts_are_refused(text: str) -> None:
    with pytest.raises(OperatorError):
        parse_amount(text)


def test_scheme_basic_has_no_refunds() -> None:
    with pytest.raises(OperatorError) as caught:
        require_refunds("basic")
    assert "Kaspi Pay" in caught.value.text("ru")
    require_refunds("standard")
    require_refunds("enhanced")


def test_what_counts_as_refused_for_sure() -> None:
    assert refused_for_sure(errors.ApiError(-990000011, None))
    assert refused_for_sure(errors.TlsError("handshake"))
    assert refused_for_sure(errors.HttpError("404", status=404))
    assert not refused_for_sure(errors.HttpError("502", status=502))
    assert not refused_for_sure(errors.HttpError("garbage", status=200))
    assert not refused_for_sure(errors.RequestTimeout("slow"))
    assert not refused_for_sure(errors.ConnectError("reset"))
    # Only a failure known to have come before the request left moved nothing.
    assert refused_for_sure(errors.ConnectError("refused", request_sent=False))
    assert not refused_for_sure(errors.ConnectionLost("cut after sending"))
    assert not refused_for_sure(errors.RequestTimeout("read timeout", request_sent=True))
    assert not refused_for_sure(errors.ProtocolError("no ReturnOperationId"))


# --- the sentences --------------------------------------------------------------------------


def test_every_code_of_the_operators_calls_has_a_sentence_in_every_language() -> None:
    for code in sorted(OPERATOR_CALL_CODES):
        for lang in LANGS:
            sentence = code_sentence(code, lang)
            assert "{" not in sentence and str(code) not in sentence, (code, lang, sentence)


def test_appendix_3_has_a_sentence_in_every_language() -> None:
    problems = {m: entry for m, entry in TEXTS.items() if m.startswith("problem.")}
    assert "problem.code.-1501" in problems and "problem.code.unknown" in problems
    for message_id, entry in problems.items():
        assert set(entry) == set(LANGS), message_id
        assert all(entry[lang].strip() for lang in LANGS), message_id
        fields = {re.findall(r"{(\w+)}", entry[lang]).__len__() for lang in LANGS}
        assert len(fields) == 1, f"{message_id}: the languages name different fields"


def test_both_spellings_of_a_code_read_the_same() -> None:
    assert code_sentence(-990000005, "ru") == code_sentence(-99000005, "ru")
    assert code_sentence(9900000018, "kk") == code_sentence(990000018, "kk")


def test_an_unknown_code_keeps_its_number_and_the_servers_message() -> None:
    assert code_sentence(-4242, "en") == "The bank answered with code -4242: —"
    assert "-4242" in code_sentence(-4242, "ru", "странно")
    assert "странно" in code_sentence(-4242, "ru", "странно")


def pending() -> RefundPending:
    record = RefundRecord(
        1,
        "t",
        None,
        700,
        None,
        Decimal("5"),
        None,
        None,
        "enhanced",
        "service",
        RefundState.UNKNOWN,
        None,
        "timeout",
        None,
    )
    return RefundPending(record)


@pytest.mark.parametrize(
    ("error", "piece"),
    [
        (errors.ApiError(-1503, "Устройство уже добавлено"), "другой торговой точке"),
        (errors.TlsError("bad cert", request_id="r1"), "защищённого"),
        (errors.RequestTimeout("slow"), "не отвечает"),
        (errors.HttpError("HTTP 502 Bad Gateway", status=502), "HTTP 502"),
        (errors.UnsupportedOperation("no"), "Kaspi Pay"),
        (ConfigError("kaspi.key_password", "does not open client.pfx"), "kaspi.key_password"),
        (OperatorError("problem.refund.zero"), "больше нуля"),
        (pending(), "5"),
    ],
)
def test_every_error_reads_as_one_sentence(error: BaseException, piece: str) -> None:
    sentence = explain(error, "ru")
    assert piece in sentence and "\n" not in sentence and "Traceback" not in sentence
    assert explain(error, "kk") and explain(error, "en")


def test_a_certificate_warning_names_the_days_and_the_date() -> None:
    from kiosk.kaspi.tls import CertificateInfo
    from kiosk.operator.certificate import CertificateCheck, CertState

    now = datetime(2026, 1, 1, tzinfo=UTC)
    info = CertificateInfo("CN=k", "CN=ca", "1", now - timedelta(days=1000), now, "00")
    check = CertificateCheck(CertState.WARNING, info, 12)
    assert "12" in (check.sentence("en") or "") and "2026-01-01" in (check.sentence("kk") or "")
    assert check.to_json()["days_left"] == 12 and check.to_json()["subject"] == "CN=k"
    assert not check.out_of_service
    assert CertificateCheck(CertState.UNREADABLE, problem="x").out_of_service
