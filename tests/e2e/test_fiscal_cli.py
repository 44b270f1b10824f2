"""`kiosk receipts`, `kiosk fiscal ...` and the journal's receipt columns, on a real journal
with the embedded register over HTTP."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.journal import sale_in

from kiosk.cli import main
from kiosk.fiscal.emulator import WebkassaEmulator
from kiosk.journal import Journal
from kiosk.payment.sale import SaleState

S = SaleState


@pytest.fixture
def register() -> Iterator[WebkassaEmulator]:
    with WebkassaEmulator() as emulator:
        yield emulator


def write_config(tmp_path: Path, fiscal: dict[str, object] | None) -> Path:
    lines = [
        "[kaspi]",
        'scheme = "basic"',
        'base_url = "https://mtokentest.kaspi.kz:8543/r1/v01"',
        'api_key = "test_0123456789abcdef"',
        "[storage]",
        f'data_dir = "{(tmp_path / "data").as_posix()}"',
    ]
    if fiscal is not None:
        lines.append("[fiscal]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in fiscal.items()]
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_operators_commands(
    register: WebkassaEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(write_config(tmp_path, dict(register.config_values())))
    with Journal.open(tmp_path / "data", guard=False) as journal:
        journal.receipts.owe_from_now()
        paid = sale_in(journal, S.PROCESSED)
        sale_in(journal, S.CANCELLED)
    assert run(capsys, "--config", path, "fiscal", "ping")[0] == 0
    register.inject("http500", count=0, path_contains="Check")
    code, out, _ = run(capsys, "--config", path, "fiscal", "send")
    assert code == 1 and "1 pending" in out
    code, out, _ = run(capsys, "--config", path, "receipts", "--pending", "--json")
    (waiting,) = json.loads(out)
    assert (
        waiting["sale_id"] == paid and waiting["state"] == "pending" and waiting["number"] is None
    )
    register.clear_faults()
    code, out, _ = run(capsys, "--config", path, "fiscal", "send")
    assert code == 0 and "1 done" in out
    number = register.state.receipts[0].data["CheckNumber"]
    code, out, _ = run(capsys, "--config", path, "journal", "--json")
    by_sale = {s["sale_id"]: s for s in json.loads(out)}
    assert by_sale[paid]["receipt_state"] == "done" and by_sale[paid]["receipt_number"] == number
    assert all(s["receipt_state"] is None for i, s in by_sale.items() if i != paid)
    code, out, _ = run(capsys, "--config", path, "journal", "--csv")
    rows = {r["sale_id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows[str(paid)]["receipt_number"] == number
    code, out, _ = run(capsys, "--config", path, "fiscal", "zreport")
    assert code == 0 and "shift 1 closed, 1 document" in out
    assert "nothing to close" in run(capsys, "--config", path, "fiscal", "zreport")[1]


def test_failed_receipt_retried_by_hand(
    register: WebkassaEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = dict(register.config_values(), vat_percent=8)
    path = str(write_config(tmp_path, values))
    with Journal.open(tmp_path / "data", guard=False) as journal:
        journal.receipts.owe_from_now()
        sale_in(journal, S.PROCESSED)
    assert run(capsys, "--config", path, "fiscal", "send")[0] == 1
    out = run(capsys, "--config", path, "receipts", "--pending")[1]
    assert "failed" in out and "Ставка НДС" in out
    assert run(capsys, "--config", path, "receipts", "--retry", "1")[0] == 0
    assert run(capsys, "--config", path, "receipts", "--retry", "1")[0] == 1  # pending now


def test_receipts_off_and_a_register_out_of_reach(
    register: WebkassaEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    off = str(write_config(tmp_path, None))
    code, _, err = run(capsys, "--config", off, "fiscal", "ping")
    assert code == 2 and "off" in err
    values = dict(register.config_values(), password="wrong-password-1")
    wrong = str(write_config(tmp_path, values))
    code, _, err = run(capsys, "--config", wrong, "fiscal", "ping")
    assert code == 3 and "wrong-password-1" not in err
    register.stop()
    code, _, err = run(capsys, "--config", wrong, "fiscal", "zreport")
    assert code == 4
