"""The host API's contract over real HTTP on 127.0.0.1, against a small in-memory gateway."""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from helpers.hostapi import TOKEN, FakeGateway

from kiosk.hostapi.app import HostApiServer, sale_json
from kiosk.hostapi.contract import HostSale, HostState
from kiosk.hostapi.validate import MAX_BODY
from kiosk.journal import SaleRecord
from kiosk.payment.sale import Reason, SaleState


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[HostApiServer, FakeGateway]]:
    gateway = FakeGateway()
    server = HostApiServer(gateway, token=TOKEN, port=0)
    server.start()
    yield server, gateway
    server.stop()


@pytest.fixture
def gw(served: tuple[HostApiServer, FakeGateway]) -> FakeGateway:
    served[1].reset()
    return served[1]


@pytest.fixture
def base(served: tuple[HostApiServer, FakeGateway]) -> str:
    return f"http://127.0.0.1:{served[0].port}"


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must not see 127.0.0.1 calls
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    yield session
    session.close()


def post_raw(http: requests.Session, url: str, body: str | bytes) -> requests.Response:
    return http.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=5)


def assert_error(resp: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = resp.json()
    assert body["error"] == code
    assert body["message"]
    return body


# -- auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        f"Basic {TOKEN}",
        "Bearer wrong-token-0123456789",
        "Bearer ",
        TOKEN,
        f"Bearer {TOKEN}x",
        b"Bearer \xc3\xa9\xff",
    ],
)
def test_a_call_without_the_right_bearer_token_is_refused(
    gw: FakeGateway, base: str, header: str | bytes | None
) -> None:
    session = requests.Session()
    session.trust_env = False
    headers = {} if header is None else {"Authorization": header}
    resp = session.post(f"{base}/v1/sales", json={"amount": 100}, headers=headers, timeout=5)
    assert_error(resp, 401, "unauthorized")
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert resp.headers.get("Connection") != "close"  # the body was read: keep-alive holds
    assert gw.started == []
    resp = session.get(f"{base}/v1/state", headers={"Authorization": f"bearer {TOKEN}"}, timeout=5)
    assert resp.status_code == 200


def test_the_token_never_reaches_the_log(
    gw: FakeGateway, base: str, http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.hostapi")
    http.get(f"{base}/v1/state", timeout=5)
    http.get(f"{base}/v1/state", headers={"Authorization": "Bearer other-secret-token"}, timeout=5)
    gw.explode = RuntimeError("boom")
    http.get(f"{base}/v1/health", timeout=5)
    assert TOKEN not in caplog.text and "other-secret-token" not in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.hostapi"]
    assert any(line.startswith("GET /v1/state 200 ") and line.endswith(" ms") for line in lines)
    assert any(line.startswith("GET /v1/state 401 ") for line in lines)


# -- health and state ------------------------------------------------------------------------


def test_health_and_state(gw: FakeGateway, base: str, http: requests.Session) -> None:
    resp = http.get(f"{base}/v1/health", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert resp.json() == dataclasses.asdict(gw.health())
    assert http.get(f"{base}/v1/state", timeout=5).json() == {"screen": "amount", "sale_id": None}
    http.post(f"{base}/v1/sales", json={"amount": 5}, timeout=5)
    assert http.get(f"{base}/v1/state", timeout=5).json() == {"screen": "qr", "sale_id": 1}


# -- creating a sale -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("350", Decimal("350")),
        ('"350.50"', Decimal("350.50")),
        ("19.99", Decimal("19.99")),  # exact: never went through a float
        ("1.5e2", Decimal("150")),
        ("1", Decimal("1")),  # the minimum itself
        ('"500000.00"', Decimal("500000")),  # the maximum itself
        ("2.100", Decimal("2.1")),  # trailing zeros are not extra tiyn
    ],
)
def test_a_sale_is_created(
    gw: FakeGateway, base: str, http: requests.Session, raw: str, expected: Decimal
) -> None:
    resp = post_raw(http, f"{base}/v1/sales", f'{{"amount": {raw}, "note": "ignored"}}')
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["sale_id"] == 1 and body["state"] == "pending"
    assert resp.headers["Location"] == "/v1/sales/1"
    [(amount, external_id)] = gw.started
    assert amount == expected and amount.as_tuple().exponent == -2
    assert external_id is None


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        "-1",
        "-0",
        '"abc"',
        "true",
        "false",
        "1e309",
        "Infinity",
        "-Infinity",
        "NaN",
        '"inf"',
        '"NaN"',
        '"1e3"',
        '""',
        "1.234",
        '"1.234"',
        "1.00000000000000000000000000001",
        "500000.01",
        "0.99",
        "1e999999999",
        "null",
        "[]",
        "{}",
        '"1,5"',
        # Spaces around a string amount: outside the document's pattern for it, so a
        # controller generated from the document never sends them; accepted, they made
        # the kiosk looser than its contract.
        '" 350"',
        '"350 "',
        '"350\\n"',
    ],
)
def test_a_bad_amount_is_refused_with_a_reason(
    gw: FakeGateway, base: str, http: requests.Session, raw: str
) -> None:
    resp = post_raw(http, f"{base}/v1/sales", f'{{"amount": {raw}}}')
    body = assert_error(resp, 422, "invalid_amount")
    assert body["message"].startswith("amount ")
    assert gw.started == []


def test_a_missing_amount_and_the_limits_are_named(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    body = assert_error(http.post(f"{base}/v1/sales", json={}, timeout=5), 422, "invalid_amount")
    assert "required" in body["message"]
    gw.limits = (Decimal("100"), Decimal("2000"))
    body = assert_error(
        http.post(f"{base}/v1/sales", json={"amount": 2000.5}, timeout=5), 422, "invalid_amount"
    )
    assert "maximum" in body["message"] and body["max"] == "2000.00" and body["min"] == "100.00"
    body = assert_error(
        http.post(f"{base}/v1/sales", json={"amount": 99}, timeout=5), 422, "invalid_amount"
    )
    assert "minimum" in body["message"]
    assert gw.started == []


@pytest.mark.parametrize("external_id", [17, True, "", "x" * 65, "order\n17", "tab\there", ["a"]])
def test_a_bad_external_id_is_refused(
    gw: FakeGateway, base: str, http: requests.Session, external_id: Any
) -> None:
    resp = http.post(f"{base}/v1/sales", json={"amount": 10, "external_id": external_id}, timeout=5)
    assert_error(resp, 422, "invalid_external_id")
    assert gw.started == []


@pytest.mark.parametrize("external_id", ["x" * 64, "заказ-17 / A", None])
def test_a_good_external_id_is_passed_on(
    gw: FakeGateway, base: str, http: requests.Session, external_id: str | None
) -> None:
    resp = http.post(f"{base}/v1/sales", json={"amount": 10, "external_id": external_id}, timeout=5)
    assert resp.status_code == 201
    assert gw.started == [(Decimal("10.00"), external_id)]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"amount"',
        b"350",
        b'{"amount": 5',
        b"\xff\xfe{}",
        b"[" * 15000,  # nesting too deep for the parser: still a 400, not a 500
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    gw: FakeGateway, base: str, http: requests.Session, raw: bytes
) -> None:
    assert_error(post_raw(http, f"{base}/v1/sales", raw), 400, "bad_json")
    assert gw.started == []


def test_the_body_may_be_16_kib_and_no_more(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    head = '{"amount": 7, "pad": "'
    exact = head + "x" * (MAX_BODY - len(head) - 2) + '"}'
    assert len(exact) == MAX_BODY
    too_big = post_raw(http, f"{base}/v1/sales", exact + " ")
    assert_error(too_big, 413, "too_large")
    assert too_big.headers.get("Connection") != "close"
    assert gw.started == []
    resp = post_raw(http, f"{base}/v1/sales", exact)
    assert resp.status_code == 201
    assert gw.started == [(Decimal("7.00"), None)]


def test_a_second_sale_while_one_runs_is_busy(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    assert http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5).status_code == 201
    resp = http.post(f"{base}/v1/sales", json={"amount": 20, "external_id": "b"}, timeout=5)
    body = assert_error(resp, 409, "busy")
    assert body["sale_id"] == 1
    assert len(gw.started) == 1


def test_out_of_service_is_503(gw: FakeGateway, base: str, http: requests.Session) -> None:
    gw.unavailable = True
    assert_error(
        http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5), 503, "out_of_service"
    )
    assert_error(http.get(f"{base}/v1/health", timeout=5), 503, "out_of_service")
    assert gw.started == []


def test_a_retry_with_the_same_external_id_does_not_charge_twice(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    first = http.post(
        f"{base}/v1/sales", json={"amount": 350, "external_id": "order-17"}, timeout=5
    )
    assert first.status_code == 201
    gw.set_state(1, "processed")  # even after the sale ended, the retry gets that sale
    again = http.post(
        f"{base}/v1/sales", json={"amount": "350.00", "external_id": "order-17"}, timeout=5
    )
    assert again.status_code == 200
    assert again.json()["sale_id"] == 1 and again.json()["state"] == "processed"
    assert again.headers["Location"] == "/v1/sales/1"
    assert len(gw.started) == 1
    # The same id for another amount is not a retry: answering with the old sale would lie.
    other = http.post(
        f"{base}/v1/sales", json={"amount": 351, "external_id": "order-17"}, timeout=5
    )
    assert assert_error(other, 409, "external_id_conflict")["sale_id"] == 1
    assert len(gw.started) == 1


# -- reading a sale --------------------------------------------------------------------------


def test_a_sale_is_read(gw: FakeGateway, base: str, http: requests.Session) -> None:
    http.post(f"{base}/v1/sales", json={"amount": 350, "external_id": "o-1"}, timeout=5)
    resp = http.get(f"{base}/v1/sales/1", timeout=5)
    assert resp.status_code == 200
    body = resp.json()
    assert body["amount"] == "350.00" and body["external_id"] == "o-1"
    assert set(body) >= {
        "sale_id",
        "amount",
        "external_id",
        "state",
        "reason",
        "qr_payment_id",
        "needs_refund",
        "recovered",
        "created_at",
        "updated_at",
    }


@pytest.mark.parametrize("sale_id", ["2", "0", "-1", "abc", "1.5", "01", "9" * 30, "1x"])
def test_an_unknown_or_malformed_sale_id_is_404(
    gw: FakeGateway, base: str, http: requests.Session, sale_id: str
) -> None:
    http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5)
    assert_error(http.get(f"{base}/v1/sales/{sale_id}", timeout=5), 404, "not_found")
    assert_error(http.post(f"{base}/v1/sales/{sale_id}/cancel", timeout=5), 404, "not_found")


def test_a_long_poll_answers_as_soon_as_the_state_changes(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5)
    gw.set_state(1, "qr")

    def scan_when_waited_on() -> None:
        if gw.waiting.wait(5):
            gw.set_state(1, "awaiting")

    threading.Thread(target=scan_when_waited_on, daemon=True).start()
    started = time.monotonic()
    resp = http.get(f"{base}/v1/sales/1", params={"wait": 30}, timeout=10)
    assert resp.status_code == 200
    assert resp.json()["state"] == "awaiting"
    # Woken by the change, not at the end of its 30 s: half of that leaves a loaded
    # machine all the slack it needs.
    assert time.monotonic() - started < 15
    assert gw.wait_calls == [(1, "qr", 30.0)]


def test_a_long_poll_answers_the_unchanged_sale_after_the_wait(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5)
    started = time.monotonic()
    resp = http.get(f"{base}/v1/sales/1?wait=0.3", timeout=5)
    assert time.monotonic() - started >= 0.3
    assert resp.status_code == 200 and resp.json()["state"] == "pending"
    assert gw.wait_calls == [(1, "pending", 0.3)]


@pytest.mark.parametrize("wait", ["0", "-1", "60.5", "abc", "", "nan", "inf", "1&wait=2"])
def test_a_bad_wait_is_400(gw: FakeGateway, base: str, http: requests.Session, wait: str) -> None:
    http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5)
    assert_error(http.get(f"{base}/v1/sales/1?wait={wait}", timeout=5), 400, "bad_request")
    assert gw.wait_calls == []


# -- cancelling ------------------------------------------------------------------------------


def test_a_sale_is_cancelled_before_the_scan_and_not_after(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5)
    gw.set_state(1, "qr")
    resp = http.post(f"{base}/v1/sales/1/cancel", timeout=5)
    assert resp.status_code == 200 and resp.json()["state"] == "cancelled"
    http.post(f"{base}/v1/sales", json={"amount": 20}, timeout=5)
    gw.set_state(2, "awaiting")
    assert_error(
        http.post(f"{base}/v1/sales/2/cancel", json={"why": "x"}, timeout=5), 409, "not_cancellable"
    )
    assert gw.sales[2].state == "awaiting"


# -- everything else -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/v1",
        "/v1/nope",
        "/v1/sales/1/refund",
        "/v2/state",
        "/v1/state/",
        "/v1/sales/1/cancel/x",
    ],
)
def test_an_unknown_path_is_404(base: str, http: requests.Session, path: str) -> None:
    assert_error(http.get(f"{base}{path}", timeout=5), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/v1/health", "GET"),
        ("PUT", "/v1/state", "GET"),
        ("GET", "/v1/sales", "POST"),
        ("DELETE", "/v1/sales/1", "GET"),
        ("GET", "/v1/sales/1/cancel", "POST"),
    ],
)
def test_a_wrong_method_is_405_with_allow(
    base: str, http: requests.Session, method: str, path: str, allow: str
) -> None:
    resp = http.request(method, f"{base}{path}", timeout=5)
    assert_error(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"] == allow


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "BREW"])
def test_a_method_no_route_has_is_405_not_a_server_error(
    base: str, http: requests.Session, method: str
) -> None:
    # Schemathesis found TRACE and QUERY answered 501, a server error, on every path.
    resp = http.request(method, f"{base}/v1/sales/1/cancel", timeout=5)
    assert_error(resp, 405, "method_not_allowed")
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert resp.headers["Allow"] == "POST"
    unauthorized = requests.request(method, f"{base}/v1/state", timeout=5)
    assert_error(unauthorized, 401, "unauthorized")  # the token first, as for every call


@pytest.mark.parametrize("error", [KeyError, TimeoutError, ConnectionRefusedError])
def test_a_gateway_failure_is_a_500_without_a_traceback(
    gw: FakeGateway,
    base: str,
    http: requests.Session,
    caplog: pytest.LogCaptureFixture,
    error: type[Exception],
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.hostapi")
    gw.explode = error("internal detail at /opt/kiosk/flow.py")
    resp = http.get(f"{base}/v1/state", timeout=5)
    body = assert_error(resp, 500, "internal")
    assert "Traceback" not in resp.text and "internal detail" not in resp.text
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failures and failures[0].exc_info is not None
    assert "internal detail" in caplog.text
    assert set(body) == {"error", "message"}
    gw.explode = None
    assert http.get(f"{base}/v1/state", timeout=5).status_code == 200  # still serving


# -- the server itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "", "192.168.1.10", "localhost", "::", "::1", "example.com"]
)
def test_only_loopback_can_be_bound(host: str) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        HostApiServer(FakeGateway(), token=TOKEN, port=0, host=host)


def test_an_empty_token_is_refused() -> None:
    with pytest.raises(ValueError, match="token"):
        HostApiServer(FakeGateway(), token="", port=0)


def test_stop_frees_the_port_and_a_taken_port_is_named() -> None:
    first = HostApiServer(FakeGateway(), token=TOKEN, port=0)
    first.start()
    port = first.port
    assert port != 0
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    taken = HostApiServer(FakeGateway(), token=TOKEN, port=port)
    with pytest.raises(OSError, match=f"127.0.0.1:{port}"):
        taken.start()
    first.stop()
    second = HostApiServer(FakeGateway(), token=TOKEN, port=port)
    second.start()
    try:
        with requests.Session() as session:
            session.trust_env = False
            resp = session.get(
                f"http://127.0.0.1:{port}/v1/state",
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=5,
            )
        assert resp.status_code == 200
        assert json.loads(resp.text) == {"screen": "amount", "sale_id": None}
    finally:
        second.stop()
    first.stop()  # a second stop is harmless


def test_long_poll_with_the_state_last_seen_answers_at_once(
    gw: FakeGateway, base: str, http: requests.Session
) -> None:
    sale = http.post(f"{base}/v1/sales", json={"amount": 10}, timeout=5).json()
    gw.set_state(sale["sale_id"], "awaiting")  # moved on since the controller last looked
    started = time.monotonic()
    resp = http.get(f"{base}/v1/sales/{sale['sale_id']}?wait=30&state=pending", timeout=40)
    assert resp.status_code == 200 and resp.json()["state"] == "awaiting"
    assert time.monotonic() - started < 15  # not after its 30 s wait
    bad = http.get(f"{base}/v1/sales/{sale['sale_id']}?wait=5&state=paid", timeout=10)
    assert bad.status_code == 400


def test_stop_ends_kept_alive_connections(gw: FakeGateway) -> None:
    server = HostApiServer(gw, token=TOKEN, port=0)
    server.start()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    url = f"http://127.0.0.1:{server.port}/v1/state"
    assert session.get(url, timeout=5).status_code == 200  # the connection is kept alive
    server.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=5)


def test_a_server_thread_slow_to_stop_closes_its_own_sockets(
    gw: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stop() closed the sockets itself once its wait for the serving thread ran out, while
    that thread could be in poll() on them: a number closed there is reused by the next
    open() in the process and polled, read and closed as the server's."""
    from kiosk.hostapi import app

    server = HostApiServer(gw, token=TOKEN, port=0)
    server.start()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    url = f"http://127.0.0.1:{server.port}/v1/state"
    assert session.get(url, timeout=5).status_code == 200  # a kept-alive connection
    closers: list[str] = []
    close_all = app.wasyncore.close_all

    def recording(*args: Any, **kwargs: Any) -> None:
        closers.append(threading.current_thread().name)
        close_all(*args, **kwargs)

    monkeypatch.setattr(app.wasyncore, "close_all", recording)
    monkeypatch.setattr(app, "STOP_WAIT", 0.2)
    busy = threading.Event()
    loop = server._thread
    assert server._server is not None and loop is not None
    trigger = server._server.trigger
    handle_read = trigger.handle_read

    def held_up() -> None:  # the loop is held up before it runs stop()'s request
        busy.wait(10)
        handle_read()

    monkeypatch.setattr(trigger, "handle_read", held_up)
    server.stop()
    assert closers == []  # nothing closed under the running loop
    busy.set()
    loop.join(5)
    assert not loop.is_alive() and closers == ["kiosk-hostapi"]
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=5)


# -- the contract's records ------------------------------------------------------------------


def journal_record(**changes: Any) -> SaleRecord:
    values: dict[str, Any] = {
        "sale_id": 7,
        "created_at": "2025-01-02T03:04:05+00:00",
        "updated_at": "2025-01-02T03:04:06+00:00",
        "amount": Decimal("350"),
        "external_id": "order-7",
        "source": "host",
        "scheme": "standard",
        "device_id": "device-1",
        "state": SaleState.CREATING,
        "reason": None,
        "last_status": None,
        "qr_payment_id": None,
        "expire_date": None,
        "needs_refund": False,
        "recovered": False,
        "resolved_at": None,
        "refunded_amount": Decimal("0"),
        "note": "never shown to the host",
    }
    return SaleRecord(**{**values, **changes})


@pytest.mark.parametrize("state", list(SaleState))
def test_every_journal_state_has_one_host_state(state: SaleState) -> None:
    expected = "pending" if state is SaleState.CREATING else state.value
    assert HostState.of(state) == expected
    assert HostSale.from_record(journal_record(state=state)).state is HostState(expected)


def test_a_sale_reads_needs_refund_until_the_operator_settles_it() -> None:
    paid_late = journal_record(
        state=SaleState.PROCESSED, reason=Reason.PAID_AFTER_CANCEL, needs_refund=True
    )
    assert HostSale.from_record(paid_late).needs_refund is True
    settled = journal_record(
        state=SaleState.PROCESSED, needs_refund=True, resolved_at="2025-01-03T00:00:00+00:00"
    )
    assert HostSale.from_record(settled).needs_refund is False


def test_a_sale_is_written_with_amounts_as_text() -> None:
    sale = HostSale.from_record(journal_record(refunded_amount=Decimal("100.5")))
    body = sale_json(sale)
    assert body["amount"] == "350.00" and body["refunded_amount"] == "100.5"
    assert body["state"] == "pending" and body["reason"] is None
    assert json.loads(json.dumps(body)) == body
    assert "note" not in body and "device_id" not in body
