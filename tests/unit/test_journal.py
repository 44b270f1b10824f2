"""The payment journal on real SQLite files: records, transitions, durability, failures."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.journal import START, Clock, new_sale, raw, sale_in

from kiosk.journal import (
    FILE_NAME,
    MIGRATIONS,
    Journal,
    JournalError,
    SaleNotFound,
    can_move,
    records,
)
from kiosk.journal import schema as journal_module
from kiosk.payment.sale import Reason, SaleState

S = SaleState


# --- opening, schema, migrations ------------------------------------------------------------


def test_open_creates_folder_and_file_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "kiosk"
    with Journal.open(data_dir) as j:
        assert j.path == data_dir / FILE_NAME
        assert j.path.is_file()
        conn = j._conn  # the pragmas are per connection: ask the journal's own
        assert conn is not None
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with raw(data_dir) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_version_0_file_is_migrated(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / FILE_NAME).close()  # an empty SQLite file, user_version 0
    with Journal.open(tmp_path) as j:
        assert j.get(new_sale(j)) is not None
    with raw(tmp_path) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_an_old_version_file_is_migrated_and_keeps_its_sales(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Journal.open(tmp_path) as j:
        sale_id = sale_in(j, S.PROCESSED)

    def later(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE sales ADD COLUMN terminal TEXT DEFAULT 'T1'")

    monkeypatch.setattr(journal_module, "MIGRATIONS", [*MIGRATIONS, later])
    with Journal.open(tmp_path) as j:
        record = j.get(sale_id)
        assert record is not None and record.state is S.PROCESSED
    with raw(tmp_path) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
        assert other.execute("SELECT terminal FROM sales").fetchone()[0] == "T1"


def test_a_version_1_file_gains_the_kiosks_deadlines(tmp_path: Path) -> None:
    """Migration 2 (the kiosk's own deadlines): a v1 sale keeps everything, its deadlines NULL;
    a new payment journals creation + scan timeout (UTC) and the confirmation timeout."""
    with raw(tmp_path) as other:
        MIGRATIONS[0](other)
        other.execute("PRAGMA user_version = 1")
        other.execute(
            "INSERT INTO sales (created_at, updated_at, amount, source, scheme, device_id, state,"
            " qr_payment_id, expire_date) VALUES ('2025-03-01T12:00:00.000+00:00',"
            " '2025-03-01T12:00:00.000+00:00', '10', 'cli', 'standard', 'K', 'qr', 5,"
            " '2021-12-08T11:35:48.1566667')"
        )
    with Journal.open(tmp_path) as j:
        old = j.get(1)
        assert old is not None and old.expire_date == "2021-12-08T11:35:48.1566667"
        assert (old.scan_deadline, old.confirm_timeout) == (None, None)
        deadline = datetime(2025, 3, 1, 17, 3, tzinfo=timezone(timedelta(hours=5)))
        sale_id = new_sale(j)
        j.payment_created(sale_id, 7, "x", scan_deadline=deadline, confirm_timeout=65)
        record = j.get(sale_id)
        assert record is not None
        assert (record.scan_deadline, record.confirm_timeout) == (
            "2025-03-01T12:03:00.000+00:00",
            65.0,
        )
        with pytest.raises(ValueError, match="aware"):
            j.payment_created(new_sale(j), 8, "x", scan_deadline=datetime(2025, 3, 1))


def test_a_sale_cancelled_while_creating_gets_its_payment_and_stays_cancelled(
    journal: Journal,
) -> None:
    """Cancelled while qr/create ran; the payment made anyway is recorded."""
    sale_id = new_sale(journal)
    journal.set_state(sale_id, S.CANCELLED, Reason.CANCELLED)
    journal.payment_created(sale_id, 9001, "2025-03-01T17:03:00.000+05:00")
    record = journal.get(sale_id)
    assert record is not None
    assert (record.state, record.reason, record.qr_payment_id) == (
        S.CANCELLED,
        Reason.CANCELLED,
        9001,
    )
    with pytest.raises(ValueError, match="not creating"):
        journal.payment_created(sale_id, 9002, "2025-03-01T17:04:00.000+05:00")
    journal.set_state(sale_id, S.PROCESSED, Reason.PAID_AFTER_CANCEL, needs_refund=True)


def test_a_failing_migration_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Journal.open(tmp_path) as j:
        new_sale(j)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("SELECT no_such_column FROM sales")

    monkeypatch.setattr(journal_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(JournalError, match="no_such_column"):
        Journal.open(tmp_path)
    with raw(tmp_path) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        names = {r[0] for r in other.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in names


def test_a_version_1_file_gains_the_product_column_and_keeps_its_sales(tmp_path: Path) -> None:
    """The schema as the first release shipped it, with a sale, opened by this kiosk."""
    with raw(tmp_path) as other:
        journal_module._migrate_v1(other)
        other.execute("PRAGMA user_version = 1")
        other.execute(
            "INSERT INTO sales (created_at, updated_at, amount, source, scheme, device_id, state)"
            " VALUES ('2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00', '350',"
            " 'host', 'standard', 'KIOSK-001', 'failed')"
        )
    with Journal.open(tmp_path) as j:
        old = j.get(1)
        assert old is not None and old.product is None and old.state is S.FAILED
        sale_id = j.begin_sale(
            Decimal("3.50"),
            external_id=None,
            source="mdb",
            scheme="standard",
            device_id="KIOSK-001",
            product="7",
        )
        new = j.get(sale_id)
        assert new is not None and (new.source, new.product) == ("mdb", "7")
        assert new.to_json()["product"] == "7"
        assert j.events(sale_id)[0].detail["product"] == "7"
    with raw(tmp_path) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        archive = [r[1] for r in other.execute("PRAGMA table_info(sales_archive)")]
        assert "product" in archive


def test_a_newer_version_file_is_refused_clearly_and_left_alone(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as j:
        new_sale(j)
    with raw(tmp_path) as other:
        other.execute("PRAGMA user_version = 99")
    with pytest.raises(JournalError) as caught:
        Journal.open(tmp_path)
    message = str(caught.value)
    assert "newer" in message and "99" in message and str(tmp_path / FILE_NAME) in message
    with raw(tmp_path) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == 99


# --- recording a sale -----------------------------------------------------------------------


def test_begin_sale_writes_a_creating_sale_and_its_event(journal: Journal) -> None:
    sale_id = new_sale(journal, "1500.00", external_id="ORDER-9", source="host")
    record = journal.get(sale_id)
    assert record is not None
    assert (record.state, record.amount, record.external_id, record.source) == (
        S.CREATING,
        Decimal("1500.00"),
        "ORDER-9",
        "host",
    )
    assert (record.scheme, record.device_id) == ("standard", "KIOSK-001")
    assert record.created_at == record.updated_at == "2025-03-01T12:00:00.000+00:00"
    assert record.qr_payment_id is None and record.reason is None
    assert not record.needs_refund and not record.recovered and not record.archived
    assert record.refunded_amount == Decimal("0")
    [event] = journal.events(sale_id)
    assert event.kind == "created"
    assert event.detail == {
        "amount": "1500.00",
        "external_id": "ORDER-9",
        "source": "host",
        "scheme": "standard",
        "device_id": "KIOSK-001",
    }


def test_amounts_stay_exact(journal: Journal, tmp_path: Path) -> None:
    a = new_sale(journal, "0.10")
    b = new_sale(journal, "0.20")
    big = new_sale(journal, "499999.99")
    amounts = [journal.get(i).amount for i in (a, b)]  # type: ignore[union-attr]
    assert sum(amounts, Decimal(0)) == Decimal("0.30")  # as floats: 0.30000000000000004
    assert journal.get(big).amount == Decimal("499999.99")  # type: ignore[union-attr]
    e = journal.begin_sale(
        Decimal("1E+2"), external_id=None, source="cli", scheme="basic", device_id="K"
    )
    assert journal.get(e).to_json()["amount"] == "100"  # type: ignore[union-attr]
    with raw(tmp_path) as other:
        kinds = other.execute("SELECT DISTINCT typeof(amount) FROM sales").fetchall()
        assert kinds == [("text",)]
        assert other.execute("SELECT amount FROM sales WHERE sale_id = ?", (a,)).fetchone() == (
            "0.10",
        )


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (100.5, TypeError),
        (100, TypeError),
        (Decimal("0"), ValueError),
        (Decimal("-1"), ValueError),
        (Decimal("NaN"), ValueError),
        (Decimal("Infinity"), ValueError),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(
    journal: Journal, amount: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        journal.begin_sale(
            amount,
            external_id=None,
            source="keypad",  # type: ignore[arg-type]
            scheme="standard",
            device_id="K",
        )
    assert journal.list() == []


def test_an_unknown_source_is_refused(journal: Journal) -> None:
    with pytest.raises(ValueError, match="source"):
        new_sale(journal, source="bluetooth")


def test_payment_created_moves_to_qr_once(journal: Journal, clock: Clock) -> None:
    sale_id = new_sale(journal)
    clock.advance(seconds=2)
    journal.payment_created(sale_id, 90017, "2025-03-01T17:03:00.000+05:00")
    record = journal.get(sale_id)
    assert record is not None
    assert (record.state, record.qr_payment_id, record.expire_date) == (
        S.QR,
        90017,
        "2025-03-01T17:03:00.000+05:00",
    )
    assert record.updated_at == "2025-03-01T12:00:02.000+00:00"
    assert journal.events(sale_id)[-1].detail == {
        "qr_payment_id": 90017,
        "expire_date": "2025-03-01T17:03:00.000+05:00",
    }
    with pytest.raises(ValueError, match="not creating"):
        journal.payment_created(sale_id, 90018, "2025-03-01T17:04:00.000+05:00")
    assert journal.get(sale_id).qr_payment_id == 90017  # type: ignore[union-attr]


def test_last_poll_interval_is_kept_across_restarts(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as j:
        assert j.last_poll_interval() is None
        j.payment_created(new_sale(j), 1, "2025-03-01T17:03:00+05:00", poll_interval=5)
        j.payment_created(new_sale(j), 2, "2025-03-01T17:04:00+05:00", poll_interval=1.5)
        j.payment_created(new_sale(j), 3, "2025-03-01T17:05:00+05:00")  # not given: kept
        assert j.events(2)[-1].detail["poll_interval"] == 1.5
    with Journal.open(tmp_path) as j:
        assert j.last_poll_interval() == 1.5


def test_record_status_writes_only_changes(journal: Journal, clock: Clock) -> None:
    sale_id = sale_in(journal, S.QR)
    journal.record_status(sale_id, "QrTokenCreated")
    stamp = journal.get(sale_id).updated_at  # type: ignore[union-attr]
    clock.advance(seconds=5)
    journal.record_status(sale_id, "QrTokenCreated")
    journal.record_status(sale_id, "QrTokenCreated")
    assert journal.get(sale_id).updated_at == stamp  # type: ignore[union-attr]
    journal.record_status(sale_id, "Wait")
    statuses = [e.detail for e in journal.events(sale_id) if e.kind == "status"]
    assert statuses == [
        {"from": None, "to": "QrTokenCreated"},
        {"from": "QrTokenCreated", "to": "Wait"},
    ]
    assert journal.get(sale_id).last_status == "Wait"  # type: ignore[union-attr]


# --- the transition matrix ------------------------------------------------------------------


def docstring_matrix() -> dict[tuple[SaleState, SaleState], str]:
    """The table in kiosk/journal/records.py's docstring: "=" same state, "x" allowed, "x*"
    allowed only once the sale has a qr_payment_id. Read from there, not copied here, so
    the table a reader of the module sees is the one tested."""
    doc = records.__doc__ or ""
    table = doc[doc.index("from \\ to") :].split("\n\n")[0].splitlines()
    columns = table[0].split()[3:]  # after "from \ to"
    return {
        (S(row[0]), S(column)): mark
        for row in (line.split() for line in table[1:])
        for column, mark in zip(columns, row[1:], strict=True)
    }


MARKS = docstring_matrix()


def test_the_matrix_has_every_pair_of_states() -> None:
    assert set(MARKS) == {(old, new) for old in S for new in S}


@pytest.mark.parametrize(("old", "new"), sorted(MARKS, key=lambda pair: str(pair)))
def test_transition_matrix(journal: Journal, old: SaleState, new: SaleState) -> None:
    mark = MARKS[(old, new)]
    assert can_move(old, new) is (mark != ".")
    sale_id = sale_in(journal, old)  # every state but creating has a qr_payment_id here
    before, history = journal.get(sale_id), journal.events(sale_id)
    if mark == "." or (mark == "x*" and old is S.CREATING):
        expected = "qr_payment_id" if mark == "x*" else f"from {old.value} to {new.value}"
        with pytest.raises(ValueError, match=expected):
            journal.set_state(sale_id, new)
        assert journal.get(sale_id) == before
        assert journal.events(sale_id) == history
    else:
        journal.set_state(sale_id, new)
        assert journal.get(sale_id).state is new  # type: ignore[union-attr]


@pytest.mark.parametrize("new", [S.FAILED, S.CANCELLED, S.UNKNOWN, S.QR])
def test_a_paid_sale_stays_paid(journal: Journal, new: SaleState) -> None:
    sale_id = sale_in(journal, S.PROCESSED)
    with pytest.raises(ValueError, match="stays paid"):
        journal.set_state(sale_id, new, Reason.BANK_UNREACHABLE)


@pytest.mark.parametrize("new", [S.QR, S.AWAITING, S.PROCESSED])
def test_without_a_payment_a_sale_cannot_be_shown_or_paid(journal: Journal, new: SaleState) -> None:
    sale_id = new_sale(journal)
    with pytest.raises(ValueError, match="qr_payment_id"):
        journal.set_state(sale_id, new)
    journal.set_state(sale_id, S.FAILED, Reason.CREATE_FAILED)
    with pytest.raises(ValueError, match="qr_payment_id"):
        journal.set_state(sale_id, S.PROCESSED)


def test_reason_is_replaced_by_a_new_state_and_kept_within_one(journal: Journal) -> None:
    sale_id = sale_in(journal, S.AWAITING)
    journal.set_state(sale_id, S.UNKNOWN, Reason.BANK_UNREACHABLE)
    journal.set_state(sale_id, S.UNKNOWN)
    assert journal.get(sale_id).reason is Reason.BANK_UNREACHABLE  # type: ignore[union-attr]
    journal.set_state(sale_id, S.FAILED, Reason.CONFIRM_TIMEOUT)
    journal.set_state(sale_id, S.PROCESSED)
    assert journal.get(sale_id).reason is None  # type: ignore[union-attr]
    kinds = [e.kind for e in journal.events(sale_id)]
    assert kinds.count("state") == 4  # awaiting, unknown, failed, processed; no-op not logged


# --- late payments, refunds, attention ------------------------------------------------------


@pytest.mark.parametrize(
    ("gave_up", "reason"),
    [
        (S.UNKNOWN, Reason.BANK_UNREACHABLE),
        (S.CANCELLED, Reason.CANCELLED),
        (S.FAILED, Reason.SCAN_TIMEOUT),
        (S.FAILED, Reason.CONFIRM_TIMEOUT),
    ],
)
def test_a_late_payment_stays_unsettled_until_the_operator_settles_it(
    journal: Journal, clock: Clock, gave_up: SaleState, reason: Reason
) -> None:
    sale_id = sale_in(journal, S.AWAITING)
    journal.set_state(sale_id, gave_up, reason)
    other = sale_in(journal, S.PROCESSED, payment_id=7002)
    assert journal.unsettled() == []
    journal.set_state(sale_id, S.PROCESSED, Reason.PAID_AFTER_CANCEL, needs_refund=True)
    [record] = journal.unsettled()
    assert (record.sale_id, record.state, record.reason) == (
        sale_id,
        S.PROCESSED,
        Reason.PAID_AFTER_CANCEL,
    )
    assert record.unsettled
    clock.advance(minutes=30)
    journal.settle(sale_id, "goods handed over by the operator")
    assert journal.unsettled() == []
    record = journal.get(sale_id)  # type: ignore[assignment]
    assert record.resolved_at == "2025-03-01T12:30:00.000+00:00"
    assert record.note == "goods handed over by the operator"
    assert record.needs_refund and not record.unsettled
    with pytest.raises(ValueError, match="does not need attention"):
        journal.settle(sale_id, "again")
    with pytest.raises(ValueError, match="does not need attention"):
        journal.settle(other, "never needed it")


@pytest.mark.parametrize("state", [S.CREATING, S.QR, S.AWAITING, S.FAILED, S.CANCELLED, S.UNKNOWN])
def test_only_a_paid_sale_can_need_a_refund(journal: Journal, state: SaleState) -> None:
    sale_id = sale_in(journal, state)
    target = state if state.is_final or state is S.CREATING else S.FAILED
    with pytest.raises(ValueError, match="only a paid sale"):
        journal.set_state(sale_id, target, needs_refund=True)


def test_refunds_add_up_exactly_and_settle_the_sale(journal: Journal) -> None:
    sale_id = sale_in(journal, S.PROCESSED)
    journal.set_state(sale_id, S.PROCESSED, Reason.AMOUNT_MISMATCH, needs_refund=True)
    for amount, operation in (("0.10", 555001), ("0.20", 555002)):
        refund_id = journal.refunds.begin(
            7001, Decimal(amount), scheme="enhanced", source="service", sale_id=sale_id
        )
        journal.refunds.done(refund_id, operation)
    record = journal.get(sale_id)
    assert record is not None
    assert record.refunded_amount == Decimal("0.30")
    assert record.resolved_at is not None and journal.unsettled() == []
    refunds = [e.detail for e in journal.events(sale_id) if e.kind == "refund"]
    assert refunds == [
        {"amount": "0.10", "return_operation_id": 555001, "refunded_total": "0.10", "refund_id": 1},
        {"amount": "0.20", "return_operation_id": 555002, "refunded_total": "0.30", "refund_id": 2},
    ]


def test_notes_keep_the_latest_and_the_history(journal: Journal) -> None:
    sale_id = new_sale(journal)
    journal.add_note(sale_id, "customer says the screen froze")
    journal.add_note(sale_id, "checked with the bank: Processed")
    assert journal.get(sale_id).note == "checked with the bank: Processed"  # type: ignore[union-attr]
    notes = [e.detail["text"] for e in journal.events(sale_id) if e.kind == "note"]
    assert notes == ["customer says the screen froze", "checked with the bank: Processed"]


def test_recovered_flag_and_unfinished(journal: Journal) -> None:
    ids = {state: sale_in(journal, state, payment_id=8000 + i) for i, state in enumerate(S)}
    assert [r.sale_id for r in journal.unfinished()] == [
        ids[S.CREATING],
        ids[S.QR],
        ids[S.AWAITING],
    ]
    journal.set_state(ids[S.CREATING], S.UNKNOWN, Reason.INTERRUPTED, recovered=True)
    journal.set_state(ids[S.QR], S.FAILED, Reason.SCAN_TIMEOUT, recovered=True)
    assert [r.sale_id for r in journal.unfinished()] == [ids[S.AWAITING]]
    record = journal.get(ids[S.CREATING])
    assert record is not None and record.recovered and record.reason is Reason.INTERRUPTED
    assert [e.kind for e in journal.events(ids[S.CREATING])][-2:] == ["state", "recovered"]


def test_lookups(journal: Journal) -> None:
    first = sale_in(journal, S.PROCESSED, payment_id=42)
    again = sale_in(journal, S.QR, payment_id=42)  # a restarted sandbox hands out ids again
    found = journal.find_by_payment(42)
    assert found is not None and found.sale_id == again != first
    assert journal.find_by_payment(43) is None
    tagged = new_sale(journal, external_id="VEND-77")
    assert journal.find_by_external_id("VEND-77").sale_id == tagged  # type: ignore[union-attr]
    assert journal.get(9999) is None
    for call in (
        lambda: journal.set_state(9999, S.FAILED),
        lambda: journal.add_note(9999, "x"),
        lambda: journal.record_status(9999, "Wait"),
    ):
        with pytest.raises(SaleNotFound):
            call()


def test_list_is_newest_first_with_since_and_limit(journal: Journal, clock: Clock) -> None:
    ids = []
    for _ in range(4):
        ids.append(new_sale(journal))
        clock.advance(days=1)
    assert [r.sale_id for r in journal.list()] == ids[::-1]
    assert [r.sale_id for r in journal.list(since=START + timedelta(days=2))] == ids[:1:-1]
    assert [r.sale_id for r in journal.list(limit=2)] == ids[:1:-1]
    assert [r.sale_id for r in journal.list(since=START + timedelta(days=1), limit=1)] == [ids[3]]
    with pytest.raises(ValueError, match="limit"):
        journal.list(limit=0)


def test_to_json_is_json_safe_with_amounts_as_text(journal: Journal) -> None:
    sale_id = sale_in(journal, S.PROCESSED)
    journal.set_state(sale_id, S.PROCESSED, Reason.AMOUNT_MISMATCH, needs_refund=True)
    data = json.loads(json.dumps(journal.get(sale_id).to_json()))  # type: ignore[union-attr]
    assert data["amount"] == "100.00" and data["refunded_amount"] == "0"
    assert data["state"] == "processed" and data["reason"] == "amount_mismatch"
    assert data["needs_refund"] is True and data["qr_payment_id"] == 7001


# --- retention ------------------------------------------------------------------------------


def test_archive_moves_old_final_sales_and_keeps_them(
    journal: Journal, clock: Clock, tmp_path: Path
) -> None:
    old_paid = sale_in(journal, S.PROCESSED, payment_id=1)
    old_failed = sale_in(journal, S.FAILED, payment_id=2)
    old_unknown = sale_in(journal, S.UNKNOWN, payment_id=3)
    old_open = sale_in(journal, S.AWAITING, payment_id=4)
    old_attention = sale_in(journal, S.PROCESSED, payment_id=5)
    journal.set_state(old_attention, S.PROCESSED, Reason.PAID_AFTER_CANCEL, needs_refund=True)
    history = journal.events(old_paid)
    clock.advance(days=40)
    recent = sale_in(journal, S.PROCESSED, payment_id=6)

    assert journal.archive_older_than(0) == 0
    assert journal.archive_older_than(30) == 2
    assert journal.archive_older_than(30) == 0

    live = {r.sale_id for r in journal.list()}
    assert live == {old_unknown, old_open, old_attention, recent}
    archived = journal.get(old_paid)
    assert archived is not None and archived.archived and archived.state is S.PROCESSED
    assert journal.find_by_payment(2).sale_id == old_failed  # type: ignore[union-attr]
    assert journal.events(old_paid)[:-1] == history
    assert journal.events(old_paid)[-1].kind == "archived"
    assert {r.sale_id for r in journal.list(include_archived=True)} == live | {old_paid, old_failed}
    with pytest.raises(ValueError, match="archived"):
        journal.add_note(old_paid, "too late")
    with raw(tmp_path) as other:
        counts = [
            other.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sales", "sales_archive")
        ]
    assert counts == [4, 2]


def test_archived_ids_are_never_reused(journal: Journal, clock: Clock) -> None:
    first = sale_in(journal, S.CANCELLED)
    clock.advance(days=10)
    assert journal.archive_older_than(5) == 1
    assert journal.list() == []
    assert new_sale(journal) > first


def test_archive_is_one_transaction(journal: Journal, clock: Clock) -> None:
    sale_id = sale_in(journal, S.FAILED)
    clock.advance(days=10)
    conn = journal._conn
    assert conn is not None
    # Fail the last statement of the move: everything before it must be undone.
    conn.execute(
        "CREATE TEMP TRIGGER stop BEFORE DELETE ON sales BEGIN"
        " SELECT RAISE(ABORT, 'stopped by the test'); END"
    )
    with pytest.raises(JournalError, match="stopped by the test"):
        journal.archive_older_than(5)
    conn.execute("DROP TRIGGER temp.stop")
    record = journal.get(sale_id)
    assert record is not None and not record.archived
    assert "archived" not in [e.kind for e in journal.events(sale_id)]
    assert journal.archive_older_than(5) == 1
