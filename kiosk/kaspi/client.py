"""A strict client for the Kaspi QR API, in all three integration schemes.

One `requests.Session` per client, so polling reuses one TLS connection instead
of paying a handshake per status read. Every request carries a fresh
X-Request-ID that also appears in the log line and in any error it raises.
Reads (status, details, ping, trade points) may be retried with capped,
jittered backoff; anything that creates money movement (a QR, a refund, an
invoice) is sent exactly once — a failure there is reported, never repeated
behind the caller's back.

Not thread-safe: give each thread its own client, or serialise calls.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from kiosk import __version__
from kiosk.kaspi import errors, models, tls, wire
from kiosk.kaspi.bankclock import BANK_CLOCK, parse_http_date
from kiosk.kaspi.settings import ConfigError, KaspiSettings, scheme_url_mismatch
from kiosk.kaspi.validate import DEVICE_ID_PROBLEM, normalize_phone, valid_device_id

log = logging.getLogger(__name__)
#: Told of every HTTP request: (URL path, the error it ended in or None, seconds).
RequestHook = Callable[[str, BaseException | None, float], None]
# Raised for calls the configured scheme does not offer; kept importable from here.
UnsupportedOperation = errors.UnsupportedOperation
T = TypeVar("T")


class _TlsAdapter(HTTPAdapter):
    """Makes every pool — direct or through a proxy — use our SSLContext."""

    def __init__(self, context: Any) -> None:
        self._context = context
        super().__init__(pool_connections=2, pool_maxsize=2, max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)
        wire.install(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = self._context
        manager = super().proxy_manager_for(proxy, **kwargs)
        wire.install(manager)
        return manager

    def cert_verify(self, conn: Any, url: str, verify: object, cert: object) -> None:
        """The context alone decides whom to trust (tls.build_context). requests would hand
        each new connection certifi's bundle, and urllib3 would load it into our context:
        119 roots beside the one kaspi.ca_file names, and 45 ms of CPU a connection."""
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


class KaspiClient:
    """Kaspi QR API calls for one configured scheme, device and certificate."""

    def __init__(
        self,
        settings: KaspiSettings,
        *,
        identity: tls.Identity | None = None,
        context: ssl.SSLContext | None = None,
        on_request: RequestHook | None = None,
    ) -> None:
        """`context`: one already built by tls.build_context, shared by several clients."""
        mismatch = scheme_url_mismatch(settings.scheme, settings.base_url)
        if mismatch:
            # Pings answer on any scheme's path while every payment call fails there: a
            # kiosk that looked in service would turn every customer away.
            raise ConfigError("kaspi.base_url", mismatch.removeprefix("kaspi.base_url "))
        self.settings = settings
        self._on_request = on_request  # metrics
        self.scheme = settings.scheme
        self.base_url = settings.base_url.rstrip("/")
        self.status_base_url = _with_version(self.base_url, settings.status_api_version)
        self.timeout = (settings.connect_timeout, settings.read_timeout)
        self.last_request_id: str | None = None
        #: The last answer's `Date` header and the monotonic moment it arrived.
        self.last_answer_date: str | None = None
        self.last_answer_at: float | None = None
        self._session = requests.Session()
        # The environment must not add CA bundles or proxies behind the operator's back.
        self._session.trust_env = False
        self._session.headers.update(
            {"Accept": "application/json", "User-Agent": f"kaspi-kiosk/{__version__}"}
        )
        if self.scheme == "basic":
            self._session.headers["Api-Key"] = settings.api_key
            _warn_key_host_mismatch(settings.api_key, self.base_url)
        if settings.proxy:
            self._session.proxies = {"https": settings.proxy}
        self._session.mount(
            "https://", _TlsAdapter(context or tls.build_context(settings, identity))
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> KaspiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport -------------------------------------------------------------------------

    def _send(
        self, method: str, url: str, *, body: dict[str, Any] | None, params: dict[str, Any] | None
    ) -> Any:
        """One HTTP request (never repeated here); the request hook hears how it went."""
        started = time.monotonic()
        error: BaseException | None = None
        try:
            return self._exchange(method, url, body=body, params=params)
        except BaseException as exc:
            error = exc
            raise
        finally:
            if self._on_request is not None:
                try:
                    self._on_request(urlsplit(url).path, error, time.monotonic() - started)
                except Exception:
                    # Watching the bank must never break a payment.
                    log.exception("the request hook failed")

    def _exchange(
        self, method: str, url: str, *, body: dict[str, Any] | None, params: dict[str, Any] | None
    ) -> Any:
        request_id = uuid.uuid4().hex
        self.last_request_id = request_id
        path = urlsplit(url).path
        started = time.monotonic()
        wire.reset()
        try:
            response = self._session.request(
                method,
                url,
                json=body,
                params=params,
                timeout=self.timeout,
                headers={"X-Request-ID": request_id},
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            error = _transport_error(exc, url, request_id, wire.request_written())
            log.warning("%s %s failed: %s", method, path, error)
            raise error from None
        self.last_answer_at = time.monotonic()
        elapsed = (self.last_answer_at - started) * 1000
        self.last_answer_date = response.headers.get("Date")
        BANK_CLOCK.observe(self.last_answer_date, time.time())
        try:
            data = _unwrap(response, request_id)
        except errors.KaspiError as exc:
            log.warning(
                "%s %s -> HTTP %s in %.0f ms: %s", method, path, response.status_code, elapsed, exc
            )
            raise
        log.info(
            "%s %s -> HTTP %s, StatusCode 0 in %.0f ms [X-Request-ID %s]",
            method,
            path,
            response.status_code,
            elapsed,
            request_id,
        )
        return data

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        read: bool = False,
        base: str | None = None,
    ) -> Any:
        """One API call. `read=True` marks it safe to repeat on a transient failure."""
        url = (base or self.base_url) + path
        if self.scheme == "enhanced" and body is not None:
            body = {"OrganizationBin": self.settings.organization_bin, **body}
        attempts = 1 + (self.settings.retries if read else 0)
        for attempt in range(attempts):
            try:
                return self._send(method, url, body=body, params=params)
            except errors.KaspiError as exc:
                if not exc.transient or attempt + 1 == attempts:
                    raise
                time.sleep(_backoff(attempt))
        raise AssertionError("unreachable")

    def _model(self, build: Callable[[Any, str | None], T], data: Any) -> T:
        return build(data, self.last_request_id)

    def _require(self, *schemes: str, what: str) -> None:
        if self.scheme not in schemes:
            raise UnsupportedOperation(
                f"{what} is not available in scheme {self.scheme} (only {', '.join(schemes)})"
            )

    @property
    def device_token(self) -> str:
        token = self.settings.device_token
        if not token:
            raise ConfigError(
                "kaspi.device_token", "is empty: register the kiosk first (kiosk register)"
            )
        return token

    # --- service ---------------------------------------------------------------------------

    def ping(self) -> None:
        self._call("GET", "/health/ping", read=True)

    # --- device management -----------------------------------------------------------------

    def trade_points(self) -> list[models.TradePoint]:
        path = "/partner/tradepoints"
        if self.scheme == "enhanced":
            path += "/" + self.settings.organization_bin
        data = self._call("GET", path, read=True)
        return models.list_of(
            models.TradePoint.from_data, data, "tradepoints", self.last_request_id
        )

    def register_device(self, device_id: str, trade_point_id: int) -> str:
        """The device token; the same id at the same trade point gets the same token again."""
        if not valid_device_id(device_id):
            raise ValueError(f"device id {device_id!r} {DEVICE_ID_PROBLEM}")
        data = self._call(
            "POST", "/device/register", body={"DeviceId": device_id, "TradePointId": trade_point_id}
        )
        fields = models.Fields(data, "device/register", self.last_request_id)
        return fields.text("DeviceToken")

    def delete_device(self, device_token: str | None = None) -> None:
        self._call(
            "POST", "/device/delete", body={"DeviceToken": device_token or self.device_token}
        )

    # --- payments --------------------------------------------------------------------------

    def create_qr(self, amount: Decimal, external_id: str | None = None) -> models.QrPayment:
        """Never retried: a second call would make a second payment."""
        data = self._call("POST", "/qr/create", body=self._purchase(amount, external_id))
        return self._answered(self._model(models.QrPayment.from_data, data))

    def create_link(self, amount: Decimal, external_id: str | None = None) -> models.QrPayment:
        data = self._call("POST", "/qr/create-link", body=self._purchase(amount, external_id))
        return self._answered(self._model(models.QrPayment.from_link_data, data))

    def _answered(self, payment: models.QrPayment) -> models.QrPayment:
        """The payment with when its answer came: the bank's `Date` and the kiosk's monotonic."""
        return replace(
            payment,
            bank_date=parse_http_date(self.last_answer_date),
            received_at=self.last_answer_at,
        )

    def _purchase(self, amount: Decimal, external_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"DeviceToken": self.device_token, "Amount": _amount(amount)}
        if external_id:
            body["ExternalId"] = external_id
        return body

    def payment_status(self, payment_id: int, *, retry: bool = True) -> models.StatusReport:
        data = self._call(
            "GET", f"/payment/status/{int(payment_id)}", read=retry, base=self.status_base_url
        )
        return self._model(models.StatusReport.from_data, data)

    def payment_details(self, payment_id: int) -> models.PaymentDetails:
        self._require("standard", "enhanced", what="payment/details")
        params = {"QrPaymentId": int(payment_id), "DeviceToken": self.device_token}
        data = self._call("GET", "/payment/details", params=params, read=True)
        return self._model(models.PaymentDetails.from_data, data)

    # --- refunds ---------------------------------------------------------------------------

    def create_return(self, external_id: str | None = None) -> models.ReturnQr:
        self._require("standard", what="A refund with the customer's return QR")
        body: dict[str, Any] = {"DeviceToken": self.device_token}
        if external_id:
            body["ExternalId"] = external_id
        data = self._call("POST", "/return/create", body=body)
        return self._model(models.ReturnQr.from_data, data)

    def return_status(self, return_id: int) -> str:
        self._require("standard", what="return/status")
        data = self._call("GET", f"/return/status/{int(return_id)}", read=True)
        return models.Fields(data, "return/status", self.last_request_id).text("Status")

    def return_operations(
        self, return_id: int, max_result: int = 10
    ) -> list[models.ReturnOperation]:
        self._require("standard", what="return/operations")
        if not 1 <= max_result <= 10:
            raise ValueError("max_result must be between 1 and 10")
        body = {
            "DeviceToken": self.device_token,
            "QrReturnId": int(return_id),
            "MaxResult": max_result,
        }
        data = self._call("POST", "/return/operations", body=body, read=True)
        return models.list_of(
            models.ReturnOperation.from_data, data, "return/operations", self.last_request_id
        )

    def refund(self, payment_id: int, amount: Decimal, return_id: int | None = None) -> int:
        """ReturnOperationId. Scheme standard needs the customer's `return_id`, enhanced not."""
        self._require("standard", "enhanced", what="A refund")
        if amount <= 0:
            raise ValueError("the refund amount must be more than 0")
        body: dict[str, Any] = {
            "DeviceToken": self.device_token,
            "QrPaymentId": int(payment_id),
            "Amount": _amount(amount),
        }
        if self.scheme == "standard":
            if return_id is None:
                raise ValueError("scheme standard refunds need the customer's QrReturnId")
            body["QrReturnId"] = int(return_id)
        data = self._call("POST", "/payment/return", body=body)
        return models.Fields(data, "payment/return", self.last_request_id).integer(
            "ReturnOperationId"
        )

    # --- remote invoices (scheme enhanced) -------------------------------------------------

    def remote_client_info(self, phone: str) -> str:
        self._require("enhanced", what="Remote payment")
        params = {"phoneNumber": normalize_phone(phone), "deviceToken": self.device_token}
        data = self._call("GET", "/remote/client-info", params=params)
        return models.Fields(data, "remote/client-info", self.last_request_id).text("ClientName")

    def remote_create(self, phone: str, amount: Decimal, comment: str | None = None) -> int:
        self._require("enhanced", what="Remote payment")
        body: dict[str, Any] = {
            "Amount": _amount(amount),
            "PhoneNumber": normalize_phone(phone),
            "DeviceToken": self.device_token,
        }
        if comment:
            body["Comment"] = comment
        data = self._call("POST", "/remote/create", body=body)
        return models.Fields(data, "remote/create", self.last_request_id).integer("QrPaymentId")

    def remote_cancel(self, payment_id: int) -> str:
        self._require("enhanced", what="Remote payment")
        body = {"QrPaymentId": int(payment_id), "DeviceToken": self.device_token}
        data = self._call("POST", "/remote/cancel", body=body)
        return models.Fields(data, "remote/cancel", self.last_request_id).text("Status")

    # --- the test host's emulation of the customer -----------------------------------------

    def test_action(self, action: str, payment_id: int) -> None:
        """`scan`, `confirm`, `scanerror` or `confirmerror` on the bank's test host."""
        if action not in ("scan", "confirm", "scanerror", "confirmerror"):
            raise ValueError(f"unknown test action {action!r}")
        # The test endpoints take lower-camel `qrPaymentId` as a string and no BIN.
        url = f"{self.base_url}/test/payment/{action}"
        self._send("POST", url, body={"qrPaymentId": str(int(payment_id))}, params=None)

    def test_return_scan(self, return_id: int) -> None:
        """The customer scans a return QR (scheme standard), on the embedded sandbox's test
        host: demo mode's phone finishes a refund by touch with it."""
        url = f"{self.base_url}/test/return/scan"
        self._send("POST", url, body={"qrReturnId": str(int(return_id))}, params=None)


def _amount(amount: Decimal) -> float:
    """The API's `Amount: double`, rounded to tiyn."""
    value = Decimal(amount).quantize(Decimal("0.01"))
    if value <= 0:
        raise ValueError("the amount must be more than 0")
    return float(value)


def _with_version(base_url: str, version: str) -> str:
    if not version:
        return base_url
    parts = urlsplit(base_url)
    segments = parts.path.rstrip("/").split("/")
    segments[-1] = version.strip("/")
    return urlunsplit(parts._replace(path="/".join(segments)))


def _backoff(attempt: int) -> float:
    return float(min(2.0, 0.25 * 2**attempt) * (0.5 + random.random() / 2))


def _warn_key_host_mismatch(api_key: str, base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    test_host = "test" in host
    local = host in ("localhost", "127.0.0.1", "::1")
    if api_key.startswith("prod_") and (test_host or local):
        log.warning("kaspi.api_key is a production key (prod_...) but base_url is a test host")
    elif api_key.startswith("test_") and not (test_host or local):
        log.warning("kaspi.api_key is a test key (test_...) but base_url is not a test host")


def _transport_error(
    exc: requests.RequestException, url: str, request_id: str, sent: bool
) -> errors.KaspiError:
    host = urlsplit(url).netloc
    if sent and isinstance(exc, requests.exceptions.SSLError) and _refused_certificate(exc):
        sent = False  # TLS 1.3 refuses a client certificate only after the client's first write
    if sent:
        # Written, maybe read and acted on: whatever broke, the outcome is not known.
        if isinstance(exc, requests.exceptions.Timeout):
            return errors.RequestTimeout(
                f"{host} did not answer in time", request_id=request_id, request_sent=True
            )
        return errors.ConnectionLost(
            f"the connection to {host} broke after the request was sent: {_short(exc)}",
            request_id=request_id,
            request_sent=True,
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return errors.TlsError(f"TLS with {host} failed: {_ssl_reason(exc)}", request_id=request_id)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return errors.RequestTimeout(
            f"{host} did not accept a connection in time",
            request_id=request_id,
            request_sent=False,
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return errors.RequestTimeout(f"{host} did not answer in time", request_id=request_id)
    if isinstance(exc, requests.exceptions.ProxyError):
        return errors.ConnectError(
            f"the proxy refused or failed the connection to {host}",
            request_id=request_id,
            request_sent=False,
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        return errors.ConnectError(
            f"no connection to {host}: {_short(exc)}", request_id=request_id, request_sent=False
        )
    # Another failure, not known to have come before the request left: not known.
    return errors.ConnectError(f"request to {host} failed: {_short(exc)}", request_id=request_id)


# Alerts a server sends when it refuses the client's certificate. Under TLS 1.3 they come
# after the client has finished its side of the handshake and written the request, but the
# server never reads a request on a connection it refused.
_CERTIFICATE_ALERTS = (
    "ALERT_BAD_CERTIFICATE",
    "ALERT_UNKNOWN_CA",
    "ALERT_CERTIFICATE_REQUIRED",
    "ALERT_CERTIFICATE_EXPIRED",
    "ALERT_CERTIFICATE_REVOKED",
    "ALERT_CERTIFICATE_UNKNOWN",
    "ALERT_UNSUPPORTED_CERTIFICATE",
    "ALERT_ACCESS_DENIED",
    "ALERT_HANDSHAKE_FAILURE",
)


def _refused_certificate(exc: Exception) -> bool:
    text = str(exc).upper()
    return any(alert in text for alert in _CERTIFICATE_ALERTS)


def _ssl_reason(exc: Exception) -> str:
    text = str(exc)
    for marker in (
        "CERTIFICATE_VERIFY_FAILED",
        "certificate verify failed",
        "TLSV1_ALERT",
        "SSLV3_ALERT",
        "WRONG_VERSION_NUMBER",
        "UNKNOWN_CA",
        "BAD_CERTIFICATE",
        "CERTIFICATE_EXPIRED",
        "HANDSHAKE_FAILURE",
    ):
        if marker in text:
            start = text.find(marker)
            return text[start : start + 120].split("'")[0].split(")")[0].strip()
    return _short(exc)


def _short(exc: Exception) -> str:
    text = str(exc)
    # urllib3 nests the interesting part deep inside; keep the innermost clause.
    for sep in ("Caused by ", "Failed to establish a new connection: "):
        if sep in text:
            text = text.split(sep)[-1]
    return text.strip("()'\" ")[:160]


def _unwrap(response: requests.Response, request_id: str) -> Any:
    """The envelope's Data, or the typed error the answer amounts to."""
    status = response.status_code
    try:
        payload = response.json()
    except ValueError:
        payload = None
    excerpt = response.text[:200].strip() if payload is None else ""
    if not 200 <= status < 300:
        message = f"HTTP {status} {response.reason or ''}".strip()
        if isinstance(payload, dict) and payload.get("StatusCode"):
            message += f": {errors.describe_code(_code(payload), _message(payload))}"
        elif excerpt:
            message += " (not a JSON envelope)"
        raise errors.HttpError(message, status=status, body_excerpt=excerpt, request_id=request_id)
    if payload is None:
        raise errors.HttpError(
            "the answer is not JSON", status=status, body_excerpt=excerpt, request_id=request_id
        )
    if not isinstance(payload, dict) or "StatusCode" not in payload:
        raise errors.ProtocolError("the answer has no StatusCode", request_id=request_id)
    code = _code(payload)
    if code != 0:
        raise errors.ApiError(code, _message(payload), request_id=request_id)
    return payload.get("Data")


def _code(payload: dict[str, Any]) -> int:
    raw = payload.get("StatusCode")
    if isinstance(raw, bool):
        return -1
    try:
        return int(str(raw).replace(" ", ""))
    except ValueError:
        return -1


def _message(payload: dict[str, Any]) -> str | None:
    # The test endpoints spell it `message`.
    value = payload.get("Message", payload.get("message"))
    return str(value) if value is not None else None
