"""The host API's HTTP itself, from raw sockets: bursts, 100-continue, odd headers, stop, threads.

Each of these failed on the hand-written server the host API had before waitress.
"""

from __future__ import annotations

import http.client
import json
import logging
import select
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from helpers.hostapi import TOKEN, FakeGateway

from kiosk.hostapi.app import MAX_LONG_POLLS, THREADS, HostApiServer
from kiosk.hostapi.validate import MAX_BODY

AUTH = f"Authorization: Bearer {TOKEN}\r\n".encode()


@pytest.fixture
def gw() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def server(gw: FakeGateway) -> Iterator[HostApiServer]:
    server = HostApiServer(gw, token=TOKEN, port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # every logger: the server's own too
    return caplog


def connect(server: HostApiServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def answer(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, Any]]:
    """The next response on `sock`: status, headers (lower-case names), JSON body."""
    resp = http.client.HTTPResponse(sock)
    resp.begin()
    try:
        body = json.loads(resp.read())
    finally:
        resp.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def request(method: str, path: str, headers: bytes = b"", body: bytes = b"") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + headers + b"\r\n" + body


def get_state(server: HostApiServer) -> int:
    """One GET /v1/state on a new connection; the status."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/v1/state", headers={"Authorization": f"Bearer {TOKEN}"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def no_traceback(logs: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in logs.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert "Traceback" not in logs.text


def run_at_once(count: int, call: Any) -> tuple[list[Any], list[Exception]]:
    """`call()` from `count` threads released together; their results and their errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            barrier.wait(10)
            result = call()
        except Exception as exc:  # noqa: BLE001 (every failure is the result)
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(result)

    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


# -- many controllers at once ----------------------------------------------------------------


def test_a_burst_of_50_new_connections_is_answered_without_a_reset(
    server: HostApiServer,
) -> None:
    for _round in range(3):
        results, errors = run_at_once(50, lambda: get_state(server))
        assert errors == []  # the old listen backlog of 5 reset some of these
        assert results == [200] * 50


def test_50_controllers_long_polling_still_get_their_other_calls_answered(
    server: HostApiServer, gw: FakeGateway
) -> None:
    sale = gw.start_sale(Decimal(10), None)
    polls: list[socket.socket] = []
    try:
        for _ in range(50):
            sock = connect(server)
            sock.sendall(request("GET", f"/v1/sales/{sale.sale_id}?wait=30", AUTH))
            polls.append(sock)
        with gw.cond:
            assert gw.cond.wait_for(lambda: gw.in_wait == 50, 10)
        results, errors = run_at_once(50, lambda: get_state(server))
        assert errors == [] and results == [200] * 50
        gw.set_state(sale.sale_id, "qr")
        for sock in polls:
            status, _headers, body = answer(sock)
            assert status == 200 and body["state"] == "qr"
    finally:
        for sock in polls:
            sock.close()


def test_threads_are_bounded_and_extra_long_polls_answer_at_once(
    server: HostApiServer, gw: FakeGateway, logs: pytest.LogCaptureFixture
) -> None:
    sale = gw.start_sale(Decimal(10), None)
    before = threading.active_count()
    socks: list[socket.socket] = []
    try:
        for _ in range(MAX_LONG_POLLS + 20):
            sock = connect(server)
            sock.sendall(request("GET", f"/v1/sales/{sale.sale_id}?wait=30", AUTH))
            socks.append(sock)
        with gw.cond:
            assert gw.cond.wait_for(lambda: gw.in_wait == MAX_LONG_POLLS, 10)
        # The 20 past the limit are answered at once, with the sale as it is; the others wait.
        answered: list[socket.socket] = []
        deadline = time.monotonic() + 10
        while len(answered) < 20 and time.monotonic() < deadline:
            readable, _, _ = select.select([s for s in socks if s not in answered], [], [], 1)
            answered += readable
        assert len(answered) == 20 and gw.in_wait == MAX_LONG_POLLS
        for sock in answered:
            status, _headers, body = answer(sock)
            assert status == 200 and body["state"] == "pending"
        assert get_state(server) == 200  # threads are left for the other calls
        # One thread per connection would be MAX_LONG_POLLS + 20 more threads here.
        assert threading.active_count() <= before
        assert THREADS > MAX_LONG_POLLS
        assert any("long-polls at once" in r.getMessage() for r in logs.records)
    finally:
        gw.set_state(sale.sale_id, "qr")
        for sock in socks:
            sock.close()


# -- framing ---------------------------------------------------------------------------------


def test_expect_100_continue_is_answered_before_the_body_is_sent(
    server: HostApiServer, gw: FakeGateway
) -> None:
    body = b'{"amount": 350}'
    with connect(server) as sock:
        head = AUTH + b"Expect: 100-continue\r\nContent-Type: application/json\r\n"
        sock.sendall(
            request("POST", "/v1/sales", head + f"Content-Length: {len(body)}\r\n".encode())
        )
        interim = sock.recv(64)  # waits for the 100; the old server never sent one (curl: 1 s)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        rest = interim[len(b"HTTP/1.1 100 Continue\r\n\r\n") :]
        sock.sendall(body)
        resp = http.client.HTTPResponse(sock)
        if rest:
            pytest.fail(f"the final answer came before the body: {rest!r}")
        resp.begin()
        assert resp.status == 201, resp.read()
        assert json.loads(resp.read())["amount"] == "350.00"
    assert len(gw.started) == 1


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (b"Content-Length: \xb2\r\n", 400),  # '²' is isdigit() in Python, but int() refuses it
        (b"Content-Length: \xd9\xa3\r\n", 400),  # an Arabic-Indic 3 in UTF-8
        (b"Content-Length: 3\r\nContent-Length: 15\r\n", 400),  # which one frames the body?
        (b"Content-Length: 15\r\nContent-Length: 15\r\n", 400),
        (b"Content-Length: -1\r\n", 400),
        (b"Content-Length: +15\r\n", 400),
        (b"Content-Length: 0x0f\r\n", 400),
        (b"Content-Length: 99999999999999999999999999\r\n", 413),
        (b"Transfer-Encoding: gzip\r\n", 501),
        (b"X-Big: " + b"a" * 70_000 + b"\r\n", 431),
    ],
)
def test_odd_framing_headers_are_refused_in_json_without_a_traceback(
    server: HostApiServer,
    gw: FakeGateway,
    logs: pytest.LogCaptureFixture,
    header: bytes,
    status: int,
) -> None:
    with connect(server) as sock:
        sock.sendall(request("POST", "/v1/sales", AUTH + header, b'{"amount": 350}'))
        got, headers, body = answer(sock)
    assert got == status, body
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert set(body) == {"error", "message"} and body["message"]
    assert headers.get("connection") == "close"  # the framing cannot be trusted after this
    assert gw.started == []
    no_traceback(logs)
    assert get_state(server) == 200  # still serving


def test_a_chunked_body_is_read(server: HostApiServer, gw: FakeGateway) -> None:
    body = b'{"amount": 350, "external_id": "chunked-1"}'
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]))
    with connect(server) as sock:
        sock.sendall(
            request(
                "POST", "/v1/sales", AUTH + b"Transfer-Encoding: chunked\r\n", chunks + b"0\r\n\r\n"
            )
        )
        status, _headers, answered = answer(sock)
        assert status == 201, answered  # the old server refused every chunked body (411)
        assert answered["external_id"] == "chunked-1"
        # ... and the connection goes on.
        sock.sendall(request("GET", "/v1/state", AUTH))
        assert answer(sock)[0] == 200
    assert len(gw.started) == 1


@pytest.mark.parametrize(
    ("chunks", "status", "code"),
    [
        (b"zz\r\n{}\r\n0\r\n\r\n", 400, "bad_request"),  # not a chunk size
        (b"%x\r\n%s\r\n0\r\n\r\n" % (MAX_BODY + 1, b" " * (MAX_BODY + 1)), 413, "too_large"),
    ],
)
def test_a_bad_or_too_big_chunked_body_is_refused(
    server: HostApiServer,
    gw: FakeGateway,
    logs: pytest.LogCaptureFixture,
    chunks: bytes,
    status: int,
    code: str,
) -> None:
    with connect(server) as sock:
        sock.sendall(request("POST", "/v1/sales", AUTH + b"Transfer-Encoding: chunked\r\n", chunks))
        got, _headers, body = answer(sock)
    assert got == status and body["error"] == code, body
    assert gw.started == []
    no_traceback(logs)


# -- stopping --------------------------------------------------------------------------------


def test_stop_ends_kept_alive_connections_and_long_polls(gw: FakeGateway) -> None:
    server = HostApiServer(gw, token=TOKEN, port=0)
    server.start()
    sale = gw.start_sale(Decimal(10), None)
    idle = connect(server)
    idle.sendall(request("GET", "/v1/state", AUTH))
    assert answer(idle)[0] == 200  # kept alive, idle now
    poll = connect(server)
    poll.sendall(request("GET", f"/v1/sales/{sale.sale_id}?wait=60", AUTH))
    assert gw.waiting.wait(10)
    server.stop()
    # Both connections end (the long-poll without waiting its 60 s); the socket timeout
    # (10 s) is only there to fail instead of hanging.
    assert idle.recv(1) == b""
    try:
        leftover = poll.recv(65536)
    except ConnectionResetError:
        leftover = b""
    assert leftover == b"" or leftover.startswith(b"HTTP/1.1 ")
    assert gw.in_wait == 0  # the server's thread left the gateway
    with pytest.raises(OSError):
        get_state(server)
    idle.close()
    poll.close()
