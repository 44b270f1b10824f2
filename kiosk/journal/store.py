"""The payment journal: every sale and every change to it, committed before the kiosk acts on it.

A vending machine hands out goods on the kiosk's word and the kiosk may lose
power at any moment, so each method here is one SQLite transaction that is
committed (WAL, `synchronous=FULL`) before it returns: a sale is written as
CREATING before qr/create is sent, and its payment id before the QR is shown.
At start the kiosk asks `unfinished()` and finds out from the bank how those
sales ended. Records are never deleted; retention moves old final sales to
archive tables in one transaction.

Amounts are `Decimal` in Python and decimal TEXT in the file: never a float.
Times are UTC ISO 8601 text with milliseconds, so text order is time order.

Which state may follow which: kiosk.journal.records.
"""

from __future__ import annotations

import builtins
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Self

from kiosk.journal import integrity
from kiosk.journal.archive import archive_sales, list_query
from kiosk.journal.attention import Attention, attention
from kiosk.journal.errors import (
    MIN_FREE_BYTES,
    DiskFull,
    JournalError,
    SaleNotFound,
    disk_full,
    journal_error,
)
from kiosk.journal.identity import (
    ACCEPT_HINT,
    Identity,
    IdentityFiles,
    JournalRefused,
    adopt,
    check_identity,
    identity_of,
)
from kiosk.journal.receipts import ReceiptBook
from kiosk.journal.records import (
    FIELDS,
    NEED_PAYMENT,
    OPEN_STATES,
    SOURCES,
    EventRecord,
    SaleRecord,
    amount_text,
    can_move,
    check_amount,
)
from kiosk.journal.refunds import RefundBook
from kiosk.journal.schema import migrate
from kiosk.payment.sale import Reason, SaleState
from kiosk.platform.private import private_dir, private_file

FILE_NAME = "journal.sqlite3"

_UTC_NOW = partial(datetime.now, UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


# --- identity -------------------------------------------------------------------------------


def _file_id(path: Path) -> tuple[int, int]:
    """Which file this is: device and inode (on Windows/NTFS, st_ino is the file index)."""
    st = os.stat(path)
    return st.st_dev, st.st_ino


# --- the journal ----------------------------------------------------------------------------


class Store:
    """The SQLite file: opened with WAL and FULL sync, migrated, one transaction at a time.

    Safe to call from several threads. Journal adds the sales on top.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Callable[[], datetime]) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._ids: IdentityFiles | None = None  # set by open(guard=True): the high-water mark
        self._file_id = _file_id(path)
        #: Called on the writing thread after each refund recorded here as done: the
        #: receipt sender owes its return receipt now, not at its next idle pass.
        self.refund_done_hooks: list[Callable[[], None]] = []

    @property
    def path(self) -> Path:
        return self._path

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Callable[[], datetime] = _UTC_NOW,
        busy_timeout: float = 5.0,
        guard: bool = True,
    ) -> Self:
        """Open (creating the folder, the file and the schema as needed) or raise JournalError.

        `clock` gives the times written; a write waits `busy_timeout` s for another's lock.
        With `guard` (the kiosk) the journal must be the one its identity names
        (kiosk.journal.identity), else JournalRefused; without it (reading for
        the operator, `accept`) any intact journal opens.
        """
        path = Path(data_dir) / FILE_NAME
        try:
            private_dir(path.parent)
        except OSError as exc:
            raise JournalError(
                f"The journal folder {path.parent} cannot be created: {exc.strerror or exc}", path
            ) from exc
        ids = IdentityFiles(Path(data_dir))
        known = ids.read() if guard else []
        if known and not path.exists():
            raise JournalRefused(
                f"The journal {path} is missing: this kiosk has issued sale ids up to"
                f" {max(k.high_water for k in known)} since {known[0].created_at}."
                f" Sales stop rather than start a new journal unnoticed. {ACCEPT_HINT}",
                path,
            )
        integrity.check(path)  # before a writing connection could reset a damaged log
        try:
            private_file(path)  # owner-only before SQLite opens it: its -wal and -shm copy the mode
        except OSError as exc:
            raise JournalError(
                f"The journal {path} cannot be created: {exc.strerror or exc}", path
            ) from exc
        conn: sqlite3.Connection | None = None
        try:
            # isolation_level=None: this module issues BEGIN/COMMIT itself, so
            # the moment of commit is explicit rather than sqlite3's guess.
            conn = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(
                    f"The journal {path} cannot use write-ahead logging (mode {mode});"
                    " keep the data folder on a local disk, not a network share.",
                    path,
                )
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, path)
            if guard:
                check_identity(conn, path, ids, known, _iso(clock()))
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.Error):
                raise journal_error(exc, path) from exc
            raise
        store = cls(conn, path, clock)
        store._ids = ids if guard else None
        return store

    def file_problem(self) -> str | None:
        """Why the file at `path` is no longer the one open (deleted, replaced); None if it is.

        An open SQLite file that is unlinked or renamed keeps working unseen: sales
        would be written into a file nobody will ever read.
        """
        try:
            now = _file_id(self._path)
        except FileNotFoundError:
            return f"The journal {self._path} was deleted while the kiosk ran. {ACCEPT_HINT}"
        except OSError as exc:
            return f"The journal {self._path} cannot be checked: {exc.strerror or exc}"
        if now != self._file_id:
            return f"The journal {self._path} was replaced while the kiosk ran. {ACCEPT_HINT}"
        return None

    def space_problem(self) -> str | None:
        """Why the disk takes no new sale (under MIN_FREE_BYTES free); None if it does.

        Asked without writing, so a health check sees a full disk before a sale finds it.
        """
        try:
            free = shutil.disk_usage(self._path.parent).free
        except OSError as exc:
            return f"The journal {self._path} cannot be checked: {exc.strerror or exc}"
        return disk_full(self._path) if free < MIN_FREE_BYTES else None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"The journal {self._path} is closed.", self._path)
        return self._conn

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock; a write is committed before the caller returns.

        IMMEDIATE takes the write lock at once, so a busy file fails before
        anything changed; a read's BEGIN lets several SELECTs see one snapshot.
        """
        with self._lock:
            conn = self._connection()
            if write and (problem := self.file_problem()) is not None:
                raise JournalError(problem, self._path)
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    # SQLite may have rolled back by itself (disk full); the error below says why.
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise journal_error(exc, self._path) from exc
                raise

    def _now(self) -> str:
        return _iso(self._clock())

    @staticmethod
    def _event(
        conn: sqlite3.Connection, sale_id: int, at: str, kind: str, detail: dict[str, Any]
    ) -> None:
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
        conn.execute(
            "INSERT INTO events (sale_id, at, kind, detail) VALUES (?, ?, ?, ?)",
            (sale_id, at, kind, text),
        )

    @staticmethod
    def _update(conn: sqlite3.Connection, sale_id: int, **values: Any) -> None:
        # Column names come from this module's code, never from input.
        sets = ", ".join(f"{name} = ?" for name in values)
        conn.execute(f"UPDATE sales SET {sets} WHERE sale_id = ?", (*values.values(), sale_id))

    @staticmethod
    def _row(conn: sqlite3.Connection, sale_id: int) -> sqlite3.Row:
        """The live sale to change; archived sales are history and stay as they are."""
        row = conn.execute(f"SELECT {FIELDS} FROM sales WHERE sale_id = ?", (sale_id,)).fetchone()
        if row is not None:
            return row
        if conn.execute("SELECT 1 FROM sales_archive WHERE sale_id = ?", (sale_id,)).fetchone():
            raise ValueError(f"sale {sale_id} is archived; archived sales cannot be changed")
        raise SaleNotFound(f"no sale {sale_id} in the journal")

    def check_writable(self) -> None:
        """A real committed write: JournalError if the disk is full or the file read-only.

        It also writes and deletes 32 KiB (several sales' worth of pages): a file
        that cannot grow fails here rather than at the next sale. Less than
        MIN_FREE_BYTES free fails too, before writing: the sale's own writes must fit.
        """
        if (problem := self.space_problem()) is not None:
            raise DiskFull(problem, self._path)
        with self._tx() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('write_probe', ?)", (self._now(),))
            conn.execute("INSERT INTO meta (key, value) VALUES ('probe_space', zeroblob(32768))")
            conn.execute("DELETE FROM meta WHERE key = 'probe_space'")


class Journal(Store):
    """The sales journal: every sale and each change to it, one committed transaction each."""

    @property
    def refunds(self) -> RefundBook:
        """Refunds, each written before and after its payment/return call (journal/refunds.py)."""
        return RefundBook(self)

    @property
    def receipts(self) -> ReceiptBook:
        """Fiscal receipts, each written before and after its Check call (journal/receipts.py)."""
        return ReceiptBook(self)

    # --- writes ---

    def begin_sale(
        self,
        amount: Decimal,
        *,
        external_id: str | None,
        source: str,
        scheme: str,
        device_id: str,
        product: str | None = None,
    ) -> int:
        """Record a new sale as CREATING; call it before qr/create is sent. Returns its id."""
        check_amount(amount, "amount")
        if source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
        with self._tx() as conn:
            now = self._now()
            cursor = conn.execute(
                "INSERT INTO sales (created_at, updated_at, amount, external_id, source, scheme,"
                " device_id, state, product) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now,
                    amount_text(amount),
                    external_id,
                    source,
                    scheme,
                    device_id,
                    SaleState.CREATING.value,
                    product,
                ),
            )
            sale_id = cursor.lastrowid
            assert sale_id is not None
            self._event(
                conn,
                sale_id,
                now,
                "created",
                {
                    "amount": amount_text(amount),
                    "external_id": external_id,
                    "source": source,
                    "scheme": scheme,
                    "device_id": device_id,
                    **({"product": product} if product is not None else {}),
                },
            )
        self._raise_high_water(sale_id)
        return sale_id

    def _raise_high_water(self, sale_id: int) -> None:
        """After the sale is committed: a crash in between leaves the mark low, never high."""
        if self._ids is None:
            return
        with self._tx(write=False) as conn:
            identity = identity_of(conn, sale_id)
        self._ids.write(identity)

    def payment_created(
        self,
        sale_id: int,
        qr_payment_id: int,
        expire_date: str | None,
        *,
        poll_interval: float | None = None,
        scan_deadline: datetime | None = None,
        confirm_timeout: float | None = None,
    ) -> None:
        """qr/create answered: the sale has a payment at the bank and its QR goes on screen.

        `poll_interval` (StatusPollingInterval) is kept for `last_poll_interval`;
        `scan_deadline` (aware: creation + QrCodeScanWaitTimeout) and `confirm_timeout`
        (PaymentConfirmationTimeout) let recovery know when the payment is decided.
        """
        if scan_deadline is not None and scan_deadline.tzinfo is None:
            raise ValueError("scan_deadline must be an aware datetime (the kiosk's own clock)")
        if isinstance(qr_payment_id, bool) or not isinstance(qr_payment_id, int):
            raise TypeError(f"qr_payment_id must be an int, not {qr_payment_id!r}")
        with self._tx() as conn:
            row = self._row(conn, sale_id)
            # A sale cancelled while qr/create ran keeps CANCELLED but gets its payment id:
            # the payment the bank made anyway is watched, and recovered after a crash.
            cancelled_early = (
                row["state"] == SaleState.CANCELLED.value and row["qr_payment_id"] is None
            )
            if row["state"] != SaleState.CREATING.value and not cancelled_early:
                raise ValueError(f"sale {sale_id} is {row['state']}, not creating: no new payment")
            now = self._now()
            self._update(
                conn,
                sale_id,
                qr_payment_id=qr_payment_id,
                expire_date=expire_date,
                scan_deadline=_iso(scan_deadline) if scan_deadline else None,
                confirm_timeout=confirm_timeout,
                state=row["state"] if cancelled_early else SaleState.QR.value,
                updated_at=now,
            )
            detail: dict[str, Any] = {"qr_payment_id": qr_payment_id, "expire_date": expire_date}
            if scan_deadline is not None:
                detail["scan_deadline"] = _iso(scan_deadline)
            if confirm_timeout is not None:
                detail["confirm_timeout"] = confirm_timeout
            if poll_interval is not None:
                detail["poll_interval"] = poll_interval
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('poll_interval', ?)",
                    (float(poll_interval),),
                )
            self._event(conn, sale_id, now, "payment_created", detail)

    def record_status(self, sale_id: int, status: str) -> None:
        """The bank's status text; written (with an event) only when it changed."""
        with self._tx() as conn:
            row = self._row(conn, sale_id)
            if row["last_status"] == status:
                return
            now = self._now()
            self._update(conn, sale_id, last_status=status, updated_at=now)
            self._event(conn, sale_id, now, "status", {"from": row["last_status"], "to": status})

    def set_state(
        self,
        sale_id: int,
        state: SaleState,
        reason: Reason | None = None,
        *,
        needs_refund: bool | None = None,
        recovered: bool | None = None,
    ) -> None:
        """Move the sale to `state` (see the table in the module docstring) or raise ValueError.

        A new state replaces the reason with `reason`; within the same state a
        None reason keeps the current one. Flags left at None are unchanged.
        needs_refund=True is only for a paid (PROCESSED) sale.
        """
        state = SaleState(state)
        reason = Reason(reason) if reason is not None else None
        with self._tx() as conn:
            row = self._row(conn, sale_id)
            old = SaleState(row["state"])
            if not can_move(old, state):
                why = " (a paid sale stays paid)" if old is SaleState.PROCESSED else ""
                raise ValueError(f"sale {sale_id} cannot go from {old.value} to {state.value}{why}")
            if state in NEED_PAYMENT and row["qr_payment_id"] is None:
                raise ValueError(f"sale {sale_id} has no qr_payment_id: it cannot be {state.value}")
            new_refund = bool(row["needs_refund"]) if needs_refund is None else needs_refund
            if new_refund and state is not SaleState.PROCESSED:
                raise ValueError(f"sale {sale_id} is {state.value}: only a paid sale is refunded")
            old_reason = row["reason"]
            new_reason = reason.value if reason else (old_reason if state is old else None)
            new_recovered = bool(row["recovered"]) if recovered is None else recovered
            now = self._now()
            changes: dict[str, dict[str, Any]] = {}
            if state is not old or new_reason != old_reason:
                changes["state"] = {"from": old.value, "to": state.value, "reason": new_reason}
            if new_refund != bool(row["needs_refund"]):
                changes["needs_refund"] = {"value": new_refund}
            if new_recovered != bool(row["recovered"]):
                changes["recovered"] = {"value": new_recovered}
            for kind, detail in changes.items():
                self._event(conn, sale_id, now, kind, detail)
            if changes:
                self._update(
                    conn,
                    sale_id,
                    state=state.value,
                    reason=new_reason,
                    needs_refund=int(new_refund),
                    recovered=int(new_recovered),
                    updated_at=now,
                )

    def add_note(self, sale_id: int, text: str) -> None:
        """An operator's or the kiosk's remark; the `note` column keeps the latest one."""
        with self._tx() as conn:
            self._row(conn, sale_id)
            now = self._now()
            self._update(conn, sale_id, note=text, updated_at=now)
            self._event(conn, sale_id, now, "note", {"text": text})

    def settle(self, sale_id: int, note: str, *, action: str | None = None) -> None:
        """The operator settled it (handed over, refunded elsewhere); `note`, `action` say how."""
        with self._tx() as conn:
            row = self._row(conn, sale_id)
            if not row["needs_refund"] or row["resolved_at"] is not None:
                raise ValueError(f"sale {sale_id} does not need attention")
            now = self._now()
            self._update(conn, sale_id, resolved_at=now, note=note, updated_at=now)
            detail = {"note": note} if action is None else {"note": note, "action": action}
            self._event(conn, sale_id, now, "resolved", detail)

    def archive_older_than(self, days: int, *, now: datetime | None = None) -> int:
        """Move final sales unchanged for `days` days (and their events) to the archive tables.

        One transaction; returns how many sales moved. 0 days means never (as
        storage.retention_days). UNKNOWN sales and sales still needing
        attention stay: the operator must see them.
        """
        if days < 0:
            raise ValueError(f"days must not be negative, not {days}")
        if days == 0:
            return 0
        cutoff = _iso((now or self._clock()) - timedelta(days=days))
        with self._tx() as conn:
            return archive_sales(conn, self._now(), days, cutoff)

    # --- reads ---

    def get(self, sale_id: int) -> SaleRecord | None:
        """The sale, live or archived; None if the journal never had it."""
        return self._find("sale_id", sale_id)

    def find_by_payment(self, qr_payment_id: int) -> SaleRecord | None:
        """The newest sale with this payment id (a restarted sandbox may repeat ids)."""
        return self._find("qr_payment_id", qr_payment_id)

    def find_by_external_id(self, external_id: str) -> SaleRecord | None:
        """The newest sale with this ExternalId (the host API's repeated requests)."""
        return self._find("external_id", external_id)

    def _find(self, column: str, value: object) -> SaleRecord | None:
        """The newest matching sale: live first, then archived."""
        with self._tx(write=False) as conn:
            for table, archived in (("sales", False), ("sales_archive", True)):
                row = conn.execute(
                    f"SELECT {FIELDS} FROM {table} WHERE {column} = ?"
                    " ORDER BY sale_id DESC LIMIT 1",
                    (value,),
                ).fetchone()
                if row is not None:
                    return SaleRecord._from_row(row, archived=archived)
        return None

    def last_poll_interval(self) -> float | None:
        """The StatusPollingInterval the bank gave most recently (recovery polls at it)."""
        with self._tx(write=False) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'poll_interval'").fetchone()
        return float(row[0]) if row is not None else None

    def _select(self, where: str, params: tuple[Any, ...] = ()) -> builtins.list[SaleRecord]:
        with self._tx(write=False) as conn:
            rows = conn.execute(f"SELECT {FIELDS} FROM sales WHERE {where}", params).fetchall()
        return [SaleRecord._from_row(r) for r in rows]

    def unfinished(self) -> builtins.list[SaleRecord]:
        """Sales not final (creating/qr/awaiting), oldest first: recover these at start."""
        marks = ", ".join("?" * len(OPEN_STATES))
        return self._select(f"state IN ({marks}) ORDER BY sale_id", OPEN_STATES)

    def unknown(self) -> builtins.list[SaleRecord]:
        """Sales whose outcome the bank has not told yet (UNKNOWN), oldest first."""
        return self._select("state = ? ORDER BY sale_id", (SaleState.UNKNOWN.value,))

    def unsettled(self) -> builtins.list[SaleRecord]:
        """Paid sales the customer got nothing for: refund or hand over, then resolve."""
        return self._select("needs_refund = 1 AND resolved_at IS NULL ORDER BY sale_id")

    def attention(self) -> Attention:
        """Every case waiting for the operator: sales and refunds (kiosk.journal.attention)."""
        return attention(self)

    def events(self, sale_id: int) -> builtins.list[EventRecord]:
        """The sale's history, oldest first."""
        with self._tx(write=False) as conn:
            rows = conn.execute(
                "SELECT id, sale_id, at, kind, detail FROM events WHERE sale_id = ?"
                " UNION ALL SELECT id, sale_id, at, kind, detail FROM events_archive"
                " WHERE sale_id = ? ORDER BY id",
                (sale_id, sale_id),
            ).fetchall()
        return [
            EventRecord(r["id"], r["sale_id"], r["at"], r["kind"], json.loads(r["detail"]))
            for r in rows
        ]

    def list(
        self,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        include_archived: bool = False,
    ) -> builtins.list[SaleRecord]:
        """Sales created at or after `since` (a naive time is local time), newest first."""
        cutoff = _iso(since) if since is not None else ""
        sql, params = list_query(cutoff, limit, include_archived)
        with self._tx(write=False) as conn:
            rows = conn.execute(sql, params).fetchall()
        return [SaleRecord._from_row(r, archived=bool(r["archived"])) for r in rows]


def accept(
    data_dir: Path, *, clock: Callable[[], datetime] = _UTC_NOW
) -> tuple[Identity, builtins.list[Path]]:
    """The operator's `kiosk journal accept`: the journal present (or a new one) becomes known.

    A damaged journal's files are moved aside (returned) and a new journal starts. Its
    next sale id is above every id issued before, so none is ever reused.
    """
    path = Path(data_dir) / FILE_NAME
    moved: builtins.list[Path] = []
    try:
        integrity.check(path)
    except integrity.JournalDamaged:
        moved = integrity.move_aside(path, clock().strftime("%Y%m%dT%H%M%SZ"))
    ids = IdentityFiles(Path(data_dir))
    high = max((k.high_water for k in ids.read(skip_damaged=True)), default=0)
    with Journal.open(data_dir, clock=clock, guard=False) as journal, journal._lock:
        identity = adopt(journal._connection(), _iso(clock()), high_water=high)
    ids.write(identity)
    return identity, moved
