"""The service status tab says how far the kiosk's clock is off the bank's, in ru/kk/en."""

from __future__ import annotations

import pytest

from kiosk.gui.service.status import status_rows
from kiosk.i18n import tr
from kiosk.operator.certificate import CertificateCheck, CertState
from kiosk.operator.status import BankReach, KioskStatus


def status(skew: float | None) -> KioskStatus:
    return KioskStatus(
        version="1",
        scheme="standard",
        base_url="https://bank.example/r2/v01",
        device_id="KIOSK-001",
        trade_point_id=1,
        registered=True,
        bank=BankReach(True),
        certificate=CertificateCheck(CertState.NONE),
        totals=None,
        journal_problem=None,
        attention=0,
        clock_skew_seconds=skew,
    )


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_the_clock_row_says_ahead_behind_or_in_step(lang: str) -> None:
    def clock(skew: float | None) -> str | None:
        rows = {key: value for key, _label, value in status_rows(status(skew), lang)}
        return rows.get("clock")

    assert clock(None) is None  # not known before the bank's first answer
    assert clock(2.0) == tr("service.status.clock_ok", lang)
    assert clock(300.0) == tr("service.status.clock_ahead", lang, s="300")
    assert clock(-18000.4) == tr("service.status.clock_behind", lang, s="18000")
