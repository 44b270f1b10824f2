"""Certificate care: what the client certificate is, how long it has, and when to act.

The bank issues certificates for five years; a kiosk whose certificate lapses
stops taking money with a TLS error nobody at the machine understands. So from
WARN_DAYS before expiry the kiosk warns (service screen, /v1/health, the log),
and an expired, not-yet-valid or unreadable certificate is a reason to be out
of service, named as such.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from kiosk.i18n import tr
from kiosk.kaspi import tls
from kiosk.kaspi.settings import ConfigError, KaspiSettings

log = logging.getLogger(__name__)

WARN_DAYS = 60


class CertState(StrEnum):
    NONE = "none"  # scheme basic: an API key, no certificate
    OK = "ok"
    WARNING = "warning"  # WARN_DAYS or fewer left
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class CertificateCheck:
    state: CertState
    info: tls.CertificateInfo | None = None
    days_left: int | None = None
    problem: str | None = None  # ConfigError text for UNREADABLE (names the key, no secret)

    @property
    def out_of_service(self) -> bool:
        return self.state in (CertState.EXPIRED, CertState.NOT_YET_VALID, CertState.UNREADABLE)

    def sentence(self, lang: str) -> str | None:
        """The warning or the reason, in the operator's words; None when all is well."""
        info = self.info
        if self.state is CertState.WARNING and info is not None:
            return tr(
                "problem.cert.warning", lang, days=self.days_left, date=f"{info.not_after:%Y-%m-%d}"
            )
        if self.state is CertState.EXPIRED and info is not None:
            return tr("problem.cert.expired", lang, date=f"{info.not_after:%Y-%m-%d}")
        if self.state is CertState.NOT_YET_VALID and info is not None:
            return tr("problem.cert.not_yet", lang, date=f"{info.not_before:%Y-%m-%d}")
        if self.state is CertState.UNREADABLE:
            return tr("problem.cert.unreadable", lang, detail=self.problem or "")
        return None

    def to_json(self) -> dict[str, Any]:
        """The /v1/health field: state, subject, expiry, days left, the English sentence."""
        info = self.info
        return {
            "state": self.state.value,
            "subject": info.subject if info else None,
            "issuer": info.issuer if info else None,
            "not_after": info.not_after.isoformat() if info else None,
            "days_left": self.days_left,
            "warning": self.sentence("en"),
        }


def check_certificate(
    settings: KaspiSettings,
    now: datetime | None = None,
    identity: tls.Identity | None = None,
) -> CertificateCheck:
    """Read (or take) the configured certificate and judge it at `now`."""
    if settings.scheme == "basic":
        return CertificateCheck(CertState.NONE)
    now = now or datetime.now(UTC)
    if identity is None:
        try:
            identity = tls.load_identity(settings)
        except ConfigError as exc:
            return CertificateCheck(CertState.UNREADABLE, problem=str(exc))
    return judge(identity.info, now)


def judge(info: tls.CertificateInfo, now: datetime | None = None) -> CertificateCheck:
    """The certificate's state at `now` (a running kiosk judges again as days pass)."""
    now = now or datetime.now(UTC)
    days = info.days_left(now)
    if now > info.not_after:
        state = CertState.EXPIRED
    elif now < info.not_before:
        state = CertState.NOT_YET_VALID
    elif days <= WARN_DAYS:
        state = CertState.WARNING
    else:
        state = CertState.OK
    return CertificateCheck(state, info, days)


def log_check(check: CertificateCheck) -> None:
    """The log's line for a certificate that needs the operator (nothing when it is fine)."""
    sentence = check.sentence("en")
    if sentence is None:
        return
    if check.out_of_service:
        log.error("certificate: %s", sentence)
    else:
        log.warning("certificate: %s", sentence)


def rejudge(check: CertificateCheck | None) -> tuple[CertificateCheck | None, str | None]:
    """A running kiosk's certificate judged again now (logged when its state changed), and
    the reason to stop selling when it has lapsed (None while it is usable)."""
    if check is None or check.info is None:
        return check, None
    now = judge(check.info)
    if now.state is not check.state:
        log_check(now)
    return now, now.sentence("en") if now.out_of_service else None
