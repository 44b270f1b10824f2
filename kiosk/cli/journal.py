"""`kiosk journal`: the sales list, one sale with its history, and what needs the operator.

    kiosk journal [--since DATE] [--limit N] [--archived] [--json | --csv]
    kiosk journal show SALE_ID [--json]
    kiosk journal attention [--json | --csv]     paid sales without goods, refunds to check
    kiosk journal accept

`accept` is the operator's answer to a refused journal (missing, replaced,
gone backwards, damaged): the journal present, or a new one, becomes the
kiosk's, and its sale ids continue above every id issued before.

The table is for people (times in local time); JSON is a list of records and
CSV has a header row, both with UTC times and amounts as decimal text
("100.50"), never floats. Bad input is one line on stderr and exit code 2,
checked before the journal is opened; a journal that cannot be read, or a
sale that is not in it, exits 1. Only reads: nothing here changes a record
(`accept` changes which journal the kiosk trusts, not a sale).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import sys
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TextIO

from kiosk.config import Config
from kiosk.journal import (
    FILE_NAME,
    Attention,
    Journal,
    JournalError,
    ReceiptRecord,
    SaleRecord,
    accept,
)
from kiosk.platform.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE

log = logging.getLogger(__name__)

NEEDS_CONFIG = True  # kiosk.cli loads the config and passes it to run()
#: Each sale's fiscal receipt (empty when receipts are off or the sale owes none).
RECEIPT_COLUMNS = ["receipt_state", "receipt_number"]
COLUMNS = [f.name for f in fields(SaleRecord)] + RECEIPT_COLUMNS


class UsageError(Exception):
    """The command line asks for something impossible; the message is one line."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options and sub-commands of `kiosk journal` on the parser the caller made for it."""
    # Values are checked in run(), not by argparse types, so that a bad one
    # is a single clear line rather than a usage dump.
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="sales created on or after DATE: YYYY-MM-DD (local midnight) or full ISO 8601",
    )
    parser.add_argument("--limit", metavar="N", help="at most N sales, newest first")
    parser.add_argument("--archived", action="store_true", help="include archived sales")
    _add_formats(parser, csv_too=True, default=False)
    sub = parser.add_subparsers(dest="journal_command", metavar="{show,attention,accept}")
    show = sub.add_parser("show", help="one sale and its history")
    show.add_argument("sale_id", metavar="SALE_ID", help="the sale's number")
    _add_formats(show, csv_too=False, default=argparse.SUPPRESS)
    attention = sub.add_parser(
        "attention", help="what waits for the operator: paid sales, refunds to check"
    )
    _add_formats(attention, csv_too=True, default=argparse.SUPPRESS)
    sub.add_parser(
        "accept",
        help="take sales again with the journal present (or a new one) after a refusal",
    )


def _add_formats(parser: argparse.ArgumentParser, *, csv_too: bool, default: Any) -> None:
    # SUPPRESS on the sub-commands: `kiosk journal --json show 5` keeps the
    # --json given before the sub-command instead of resetting it to False.
    parser.add_argument("--json", action="store_true", default=default, help="print JSON")
    if csv_too:
        parser.add_argument("--csv", action="store_true", default=default, help="print CSV")


@dataclass(frozen=True)
class _Request:
    command: str  # "list" | "show" | "attention"
    output: str  # "table" | "json" | "csv"
    since: datetime | None = None
    limit: int | None = None
    archived: bool = False
    sale_id: int = 0


def run(args: argparse.Namespace, config: Config, out: TextIO | None = None) -> int:
    """Carry out `kiosk journal ...`; returns the exit code."""
    out = out or sys.stdout
    if getattr(args, "journal_command", None) == "accept":
        return _accept(config, out)
    try:
        request = parse_request(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    path = config.data_dir / FILE_NAME
    if not path.exists():
        # Opening would create an empty journal and hide a wrong storage.data_dir.
        return _fail(f"no journal at {path} (check storage.data_dir)", EXIT_FAILED)
    try:
        # guard=False: the operator reads a refused journal too; only the kiosk refuses it.
        with Journal.open(config.data_dir, guard=False) as journal:
            if request.command == "show":
                return _show(journal, request, out)
            if request.command == "attention":
                _print_attention(journal.attention(), request.output, out)
                return EXIT_OK
            records = journal.list(
                since=request.since, limit=request.limit, include_archived=request.archived
            )
            receipts = journal.receipts.of_sales([r.sale_id for r in records])
    except JournalError as exc:
        return _fail(str(exc), EXIT_FAILED)
    rows = [_with_receipt(r, receipts.get(r.sale_id)) for r in records]
    _print_records(records, rows, request.output, out, attention=False)
    return EXIT_OK


def _accept(config: Config, out: TextIO) -> int:
    try:
        identity, moved = accept(config.data_dir)
    except JournalError as exc:
        return _fail(str(exc), EXIT_FAILED)
    for path in moved:
        log.warning("damaged journal file moved aside: %s", path)
        print(f"Damaged file kept as {path}", file=out)
    log.warning(
        "journal %s accepted by the operator; next sale id above %d",
        identity.journal_id,
        identity.high_water,
    )
    print(
        f"Journal {config.data_dir / FILE_NAME} accepted (id {identity.journal_id});"
        f" the next sale id is above {identity.high_water}.",
        file=out,
    )
    return EXIT_OK


def parse_request(args: argparse.Namespace) -> _Request:
    """The command line as a checked request, or UsageError naming the bad value."""
    command = getattr(args, "journal_command", None) or "list"
    as_json, as_csv = bool(getattr(args, "json", False)), bool(getattr(args, "csv", False))
    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    if as_csv and command == "show":
        raise UsageError("show prints a table or --json, not --csv")
    since_text, limit_text = getattr(args, "since", None), getattr(args, "limit", None)
    if command != "list" and (since_text is not None or limit_text is not None):
        raise UsageError(f"--since and --limit are for the list, not for {command}")
    output = "json" if as_json else "csv" if as_csv else "table"
    if command == "show":
        return _Request(command, output, sale_id=_positive(args.sale_id, "SALE_ID"))
    return _Request(
        command,
        output,
        since=parse_since(since_text) if since_text is not None else None,
        limit=_positive(limit_text, "--limit") if limit_text is not None else None,
        archived=bool(getattr(args, "archived", False)),
    )


def parse_since(text: str) -> datetime:
    """YYYY-MM-DD (midnight, local time) or ISO 8601; a time without an offset is local."""
    try:
        # datetime.fromisoformat reads both shapes; a naive result is taken
        # as local time by Journal.list, which is what an operator means.
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--since: {text!r} is not a date; use YYYY-MM-DD or ISO 8601"
            " (e.g. 2025-10-22 or 2025-10-22T17:10:50+05:00)"
        ) from None


def _positive(text: str, name: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(f"{name}: {text!r} is not a whole number of 1 or more")
    return value


def _fail(message: str, code: int) -> int:
    print(f"kiosk journal: {message}", file=sys.stderr)
    return code


# --- output ---------------------------------------------------------------------------------


def _local(text: str | None) -> str:
    if not text:
        return "-"
    return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _flags(record: SaleRecord) -> str:
    flags = []
    if record.unsettled:
        flags.append("NEEDS REFUND")
    elif record.needs_refund:
        flags.append("resolved")
    if record.refunded_amount:
        flags.append(f"refunded {record.refunded_amount}")
    if record.recovered:
        flags.append("recovered")
    if record.archived:
        flags.append("archived")
    return ", ".join(flags)


def _table(headers: list[str], rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for line in [headers, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip(), file=out)


# OWASP's CSV-injection rule: a spreadsheet runs a cell that starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with ' to stay text.

    A plain number such as -250.00 is left as it is: it is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _with_receipt(record: SaleRecord, receipt: ReceiptRecord | None) -> dict[str, Any]:
    return {
        **record.to_json(),
        "receipt_state": receipt.state.value if receipt is not None else None,
        "receipt_number": receipt.check_number if receipt is not None else None,
    }


def _print_records(
    records: list[SaleRecord],
    rows_json: list[dict[str, Any]],
    output: str,
    out: TextIO,
    *,
    attention: bool,
) -> None:
    if output == "json":
        print(json.dumps(rows_json, ensure_ascii=False, indent=2), file=out)
        return
    if output == "csv":
        # "\n": the text stream adds the platform's line end itself.
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in r.items()} for r in rows_json)
        return
    if not records:
        print("No sales need attention." if attention else "No sales.", file=out)
        return
    headers = [
        "ID",
        "CREATED (local)",
        "AMOUNT",
        "STATE",
        "REASON",
        "PAYMENT ID",
        "SOURCE",
        "FLAGS",
    ]
    if attention:
        headers.append("NOTE")
    rows = []
    for r in records:
        row = [
            str(r.sale_id),
            _local(r.created_at),
            str(r.amount),
            r.state.value,
            r.reason.value if r.reason else "-",
            str(r.qr_payment_id) if r.qr_payment_id is not None else "-",
            r.source,
            _flags(r),
        ]
        if attention:
            row.append(r.note or "")
        rows.append(row)
    _table(headers, rows, out)
    if attention:
        print(
            f"\n{len(records)} paid sale(s) without goods: refund each one or hand the goods over.",
            file=out,
        )


#: `kiosk journal attention --csv`: one row per case, a sale's or a refund's.
ATTENTION_COLUMNS = [
    "kind",
    "sale_id",
    "refund_id",
    "qr_payment_id",
    "amount",
    "state",
    "reason",
    "created_at",
    "note",
]


def _print_attention(cases: Attention, output: str, out: TextIO) -> None:
    """Paid sales without goods, then refunds whose outcome is unknown."""
    if output == "json":
        print(json.dumps(cases.to_json(), ensure_ascii=False, indent=2), file=out)
        return
    if output == "csv":
        writer = csv.DictWriter(out, fieldnames=ATTENTION_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for case in _attention_rows(cases):
            writer.writerow({k: spreadsheet_safe(v) for k, v in case.items()})
        return
    if not cases.count:
        print("Nothing needs attention.", file=out)
        return
    if cases.sales:
        _print_records(cases.sales, [], "table", out, attention=True)  # a table: no JSON rows
    if cases.refunds:
        if cases.sales:
            print(file=out)
        headers = ["REFUND", "SENT (local)", "AMOUNT", "SALE", "PAYMENT ID", "STATE", "ERROR"]
        rows = [
            [
                str(r.refund_id),
                _local(r.requested_at),
                str(r.amount),
                str(r.sale_id) if r.sale_id is not None else "-",
                str(r.qr_payment_id),
                r.state.value,
                r.error or "",
            ]
            for r in cases.refunds
        ]
        _table(headers, rows, out)
        print(
            f"\n{len(cases.refunds)} refund(s) with an unknown outcome: check each in Kaspi Pay"
            " and answer it in service mode (Attention).",
            file=out,
        )


def _attention_rows(cases: Attention) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for s in cases.sales:
        reason = s.reason.value if s.reason else None
        rows.append(
            {
                "kind": "sale",
                "sale_id": s.sale_id,
                "refund_id": None,
                "qr_payment_id": s.qr_payment_id,
                "amount": str(s.amount),
                "state": s.state.value,
                "reason": reason,
                "created_at": s.created_at,
                "note": s.note,
            }
        )
    for r in cases.refunds:
        rows.append(
            {
                "kind": "refund",
                "sale_id": r.sale_id,
                "refund_id": r.refund_id,
                "qr_payment_id": r.qr_payment_id,
                "amount": str(r.amount),
                "state": r.state.value,
                "reason": r.error,
                "created_at": r.requested_at,
                "note": r.checked_note,
            }
        )
    return rows


def _show(journal: Journal, request: _Request, out: TextIO) -> int:
    record = journal.get(request.sale_id)
    if record is None:
        return _fail(f"no sale {request.sale_id} in the journal", EXIT_FAILED)
    events = journal.events(request.sale_id)
    if request.output == "json":
        body = {"sale": record.to_json(), "events": [e.to_json() for e in events]}
        print(json.dumps(body, ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    print(f"Sale {record.sale_id}" + ("  (NEEDS REFUND)" if record.unsettled else ""), file=out)
    for name, value in record.to_json().items():
        if name in ("created_at", "updated_at", "resolved_at") and value:
            value = f"{_local(value)} (UTC {value})"
        print(f"  {name + ':':<17} {'-' if value is None else value}", file=out)
    print("History:", file=out)
    for event in events:
        detail = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
        print(f"  {_local(event.at)}  {event.kind:<16} {detail}", file=out)
    return EXIT_OK
