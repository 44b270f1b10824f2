"""A client for the Webkassa integrator API v4: authorise, receipts, Z-report, look-up.

One `requests.Session`; the `x-api-key` header on every request; the token from
`Authorize` cached and sent in each body, fetched again once when the register
answers a token code (2, 3) — whether a new `Authorize` revokes older tokens is
uncertain, so the client survives both. `Check` is never repeated here: the
caller (the sender) repeats it with the same ExternalCheckNumber, which the
register answers with the original receipt (code 14 with `Data`) instead of a
second one. A code 14 without `Data` (possible in principle, uncertain) is
resolved by the one documented look-up by external number, `Ticket/PrintFormat`.

Safe to call from several threads: calls are serialised by a lock.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from kiosk import __version__
from kiosk.fiscal import errors
from kiosk.fiscal.models import Json, Receipt, ReceiptRequest, TicketLink, field
from kiosk.fiscal.settings import FiscalSettings

log = logging.getLogger("kiosk.fiscal")

AUTHORIZE = "/api/v4/Authorize"
CHECK = "/api/v4/Check"
ZREPORT = "/api/v4/ZReport"
PRINT_FORMAT = "/api/v4/Ticket/PrintFormat"
CASHBOXES = "/api/v4/Cashboxes"
#: Builds a request's body around the current token.
BodyBuilder = Callable[[str], Json]
#: PrintFormat line Type 2: the QR's content, the OFD's TicketUrl.
QR_LINE = 2


@dataclass(frozen=True)
class CheckResult:
    receipt: Receipt
    duplicate: bool  # the register had it already (code 14): the original receipt


class WebkassaClient:
    """Webkassa calls for one cashbox."""

    def __init__(self, settings: FiscalSettings) -> None:
        self.settings = settings
        self.base_url = settings.base_url.rstrip("/")
        self._token: str | None = None
        self._lock = threading.RLock()
        self._session = requests.Session()
        # The environment must add no proxies or CA bundles behind the operator's back.
        self._session.trust_env = False
        self._session.verify = str(settings.ca_file) if settings.ca_file else True
        self._session.headers.update(
            {
                "Accept": "application/json",
                "User-Agent": f"kaspi-kiosk/{__version__}",
                "x-api-key": settings.api_key,
            }
        )
        self.timeout = (min(5.0, settings.timeout), settings.timeout)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> WebkassaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- calls -----------------------------------------------------------------------------

    def authorize(self) -> str:
        """A new token (kept for the next calls)."""
        with self._lock:
            body: Json = {"Login": self.settings.login, "Password": self.settings.password}
            data = self._post(AUTHORIZE, body)
            token = field(data, "Token")
            if not isinstance(token, str) or not token:
                raise errors.ProtocolError(f"{AUTHORIZE}: the answer has no Token")
            self._token = token
            return token

    def check(self, request: ReceiptRequest) -> CheckResult:
        """Register a receipt (sale or sale return); a repeat answers the original."""
        with self._lock:
            try:
                data = self._with_token(CHECK, lambda token: request.body(token, self._cashbox))
            except errors.RegisterError as exc:
                if errors.DUPLICATE not in exc.codes:
                    raise
                data = exc.data
                if data is None:
                    # Code 14 without the original: look it up by its external number.
                    receipt = self.find(request.external_number)
                    if receipt is None:
                        raise
                    return CheckResult(receipt, duplicate=True)
                log.info("%s: %s was registered before", CHECK, request.external_number)
                return CheckResult(Receipt.from_data(data, CHECK), duplicate=True)
            return CheckResult(Receipt.from_data(data, CHECK), duplicate=False)

    def zreport(self) -> Json:
        """Close the shift; a shift already closed, or none open, is not an error here."""
        with self._lock:
            try:
                data = self._with_token(
                    ZREPORT, lambda token: {"Token": token, "CashboxUniqueNumber": self._cashbox}
                )
            except errors.RegisterError as exc:
                if exc.codes <= errors.NOTHING_TO_CLOSE:
                    log.info("%s: nothing to close (%s)", ZREPORT, exc.text)
                    return {}
                raise
            # The report's fields as documented, whatever letter case they came in.
            names = ("ReportNumber", "ShiftNumber", "DocumentCount")
            report = dict(data) if isinstance(data, dict) else {}
            report.update({n: field(data, n) for n in names if field(data, n) is not None})
            return report

    def find(self, external_number: str) -> Receipt | None:
        """The receipt registered with this ExternalCheckNumber, or None (code 19 or 16)."""
        with self._lock:
            try:
                data = self._with_token(
                    PRINT_FORMAT,
                    lambda token: {
                        "Token": token,
                        "CashboxUniqueNumber": self._cashbox,
                        "ExternalCheckNumber": external_number,
                        "PaperKind": 0,
                    },
                )
            except errors.RegisterError as exc:
                # "Unknown number" is presumably 19 (uncertain): 16 read the same way.
                if exc.codes <= {16, 19}:
                    return None
                raise
            lines = field(data, "Lines")
            for line in lines if isinstance(lines, list) else []:
                if field(line, "Type") == QR_LINE:
                    url = field(line, "Value")
                    link = TicketLink.parse(url) if isinstance(url, str) else None
                    if link is not None and isinstance(url, str):
                        return link.receipt(url, json.dumps(data, ensure_ascii=False))
            raise errors.ProtocolError(f"{PRINT_FORMAT}: no receipt link among the lines")

    def ping(self) -> None:
        """Authorise afresh and see the configured cashbox among the user's."""
        with self._lock:
            self.authorize()
            data = self._with_token(CASHBOXES, lambda token: {"Token": token})
            listed = field(data, "List")
            numbers = {
                str(field(c, "UniqueNumber")) for c in (listed if isinstance(listed, list) else [])
            }
            if self._cashbox not in numbers:
                raise errors.RegisterError(
                    [(6, "the cashbox is not among the user's cashboxes")], path=CASHBOXES
                )

    # --- transport -------------------------------------------------------------------------

    @property
    def _cashbox(self) -> str:
        return self.settings.cashbox

    def _with_token(self, path: str, build: BodyBuilder) -> object:
        """The call with the cached token; on a token code, authorise once and repeat."""
        token = self._token or self.authorize()
        try:
            return self._post(path, build(token))
        except errors.RegisterError as exc:
            if not exc.token_expired:
                raise
            log.info("%s: %s; authorising again", path, exc.text)
        return self._post(path, build(self.authorize()))

    def _post(self, path: str, body: Json) -> object:
        url = self.base_url + path
        started = time.monotonic()
        try:
            response = self._session.post(
                url,
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            error = _transport_error(exc, url)
            log.warning("POST %s failed: %s", path, error)
            raise error from None
        elapsed = (time.monotonic() - started) * 1000
        try:
            data = _unwrap(response, path)
        except errors.FiscalError as exc:
            log.warning(
                "POST %s -> HTTP %s in %.0f ms: %s", path, response.status_code, elapsed, exc
            )
            raise
        log.info("POST %s -> HTTP %s in %.0f ms", path, response.status_code, elapsed)
        return data


def _unwrap(response: requests.Response, path: str) -> object:
    """The envelope's Data, or the error the answer amounts to.

    `Errors` is read whatever the HTTP status (the register answers them with 200);
    a 5xx or a body that is not the envelope is an outcome unknown.
    """
    try:
        payload: object = response.json()
    except ValueError:
        payload = None
    listed = field(payload, "Errors")
    if isinstance(listed, list) and listed:
        # A duplicate carries the original receipt beside its code 14.
        raise errors.RegisterError(_errors_of(listed), path=path, data=field(payload, "Data"))
    if not 200 <= response.status_code < 300:
        raise errors.HttpError(f"{path}: HTTP {response.status_code}", status=response.status_code)
    data = field(payload, "Data")
    if data is None:
        raise errors.HttpError(
            f"{path}: the answer is not the register's JSON envelope", status=response.status_code
        )
    return data


def _errors_of(items: list[object]) -> list[tuple[int, str]]:
    found = []
    for item in items:
        code, text = field(item, "Code"), field(item, "Text")
        number = code if isinstance(code, int) and not isinstance(code, bool) else -1
        found.append((number, str(text) if text is not None else ""))
    return found


def _transport_error(exc: requests.RequestException, url: str) -> errors.TransportError:
    host = urlsplit(url).netloc
    if isinstance(exc, requests.exceptions.SSLError):
        return errors.TransportError(f"TLS with {host} failed")
    if isinstance(exc, requests.exceptions.Timeout):
        return errors.TransportError(f"{host} did not answer in time")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return errors.TransportError(f"no answer from {host} (connection failed or dropped)")
    return errors.TransportError(f"request to {host} failed")
