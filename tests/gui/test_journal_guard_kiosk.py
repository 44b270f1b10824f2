"""A real kiosk whose journal was deleted or replaced: no sale, no second charge, a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.controller import HostApi
from helpers.kiosk import kiosk_config

from kiosk import config as cfg
from kiosk.journal import FILE_NAME
from kiosk.sandbox import Sandbox


def _creates(sandbox: Sandbox) -> int:
    return len([r for r in sandbox.requests if r.path.endswith("/qr/create")])


def _paid_order(qtbot: Any, shell: Any, api: HostApi, sandbox: Sandbox, order: str) -> int:
    created = api.post("/sales", json={"amount": 350, "external_id": order})
    assert created.status_code == 201, created.text
    sale_id = int(created.json()["sale_id"])
    qtbot.waitUntil(lambda: shell.window.qr_screen.has_qr(), timeout=5000)
    payment_id = api.get(f"/sales/{sale_id}").json()["qr_payment_id"]
    sandbox.scan(payment_id)
    sandbox.confirm(payment_id)
    qtbot.waitUntil(
        lambda: api.get(f"/sales/{sale_id}").json()["state"] == "processed", timeout=10000
    )
    return sale_id


def test_a_journal_deleted_while_stopped_refuses_the_reposted_order(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    _paid_order(qtbot, shell, api, fast_sandbox, "after-delete-1")
    shell.quit(exit_app=False)
    shell.quit = lambda **_kw: None  # stopped here; the fixture's teardown must not stop it again
    data_dir = cfg.load(path).data_dir
    for tail in ("", "-wal", "-shm"):
        (data_dir / (FILE_NAME + tail)).unlink(missing_ok=True)
    before = _creates(fast_sandbox)

    shell = start_kiosk(path, wait_for="out_of_service")
    again = api.post("/sales", json={"amount": 350, "external_id": "after-delete-1"})
    assert again.status_code == 503, again.text  # not 201: no second charge
    assert _creates(fast_sandbox) == before
    health = api.get("/health").json()
    assert health["ok"] is False and health["journal_ok"] is False
    assert "missing" in health["problem"] and "kiosk journal accept" in health["problem"]
    assert not (data_dir / FILE_NAME).exists()


def test_a_journal_deleted_while_running_stops_sales(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any, tmp_path: Path
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    first = _paid_order(qtbot, shell, api, fast_sandbox, "running-1")
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=5000)
    journal_path = cfg.load(path).data_dir / FILE_NAME
    journal_path.rename(tmp_path / "moved-away.sqlite3")  # the open file lives on, unlinked

    health = api.get("/health").json()
    assert health["journal_ok"] is False and health["ok"] is False
    before = _creates(fast_sandbox)
    refused = api.post("/sales", json={"amount": 20, "external_id": "running-2"})
    assert refused.status_code == 503, refused.text
    assert _creates(fast_sandbox) == before
    qtbot.waitUntil(lambda: shell.window.screen_name == "out_of_service", timeout=5000)
    assert first == 1
