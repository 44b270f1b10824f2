"""`kiosk receipts` and `kiosk fiscal`: the operator's view of the fiscal receipts and register.

    kiosk receipts [--pending] [--json] [--retry ID]
        the latest receipts (--pending: those not done: pending and failed); --retry sends a
        failed receipt again with its own ExternalCheckNumber (the kiosk's sender, or
        `kiosk fiscal send`, takes it)
    kiosk fiscal ping      the register answers, the login works, the cashbox is the user's
    kiosk fiscal zreport   close the register's shift now (Z-report)
    kiosk fiscal send      send the pending receipts now (one pass of the kiosk's sender)

Exit codes as every command: 0 done, 1 not done (receipts left pending or failed),
2 usage or config (receipts off), 3 the register refused, 4 it could not be reached.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from kiosk.cli.common import print_json
from kiosk.config import Config
from kiosk.journal import FILE_NAME, Journal, JournalError
from kiosk.platform.exits import EXIT_API, EXIT_FAILED, EXIT_NETWORK, EXIT_OK, EXIT_USAGE

NEEDS_CONFIG = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    if parser.prog.endswith("receipts"):
        parser.add_argument("--pending", action="store_true", help="only those not done yet")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--retry", type=int, metavar="ID", help="send a failed receipt again")
        return
    parser.add_argument("action", choices=("ping", "zreport", "send"))


def run(args: argparse.Namespace, config: Config, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if not config.fiscal.enabled:
        print('fiscal receipts are off ([fiscal] provider = "none")', file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "action", None) in ("ping", "zreport"):
        return _register_call(args.action, config, out)
    path = config.data_dir / FILE_NAME
    if not path.exists():
        print(f"no journal at {path} (check storage.data_dir)", file=sys.stderr)
        return EXIT_FAILED
    try:
        with Journal.open(config.data_dir, guard=False) as journal:
            if getattr(args, "action", None) == "send":
                return _send(journal, config, out)
            return _receipts(journal, args, out)
    except JournalError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED


def _receipts(journal: Journal, args: argparse.Namespace, out: TextIO) -> int:
    if args.retry is not None:
        try:
            journal.receipts.retry(args.retry)
        except (LookupError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_FAILED
        print(f"receipt {args.retry} is pending again: the kiosk sends it within 15 s", file=out)
        return EXIT_OK
    records = journal.receipts.needing_operator() if args.pending else journal.receipts.recent()
    if args.json:
        print_json([r.to_json() for r in records])
        return EXIT_OK
    if not records:
        print("No receipts waiting." if args.pending else "No receipts.", file=out)
        return EXIT_OK
    for r in records:
        what = r.check_number or (r.error or "")[:90]
        print(
            f"{r.receipt_id:>6}  sale {r.sale_id:<6} {r.kind.value:<6} {r.amount:>12} ₸"
            f"  {r.state.value:<7} {r.attempts:>3}x  {what}",
            file=out,
        )
    return EXIT_OK


def _send(journal: Journal, config: Config, out: TextIO) -> int:
    from kiosk.fiscal.sender import ReceiptSender

    sender = ReceiptSender(journal, config.fiscal)
    try:
        journal.receipts.owe_from_now()
        sender.run_pass()
    finally:
        sender.client.close()
    left = journal.receipts.needing_operator()
    counts = journal.receipts.counts()
    print(
        f"receipts: {counts['done']} done, {counts['pending']} pending, {counts['failed']} failed",
        file=out,
    )
    return EXIT_OK if not left else EXIT_FAILED


def _register_call(action: str, config: Config, out: TextIO) -> int:
    from kiosk.fiscal import errors
    from kiosk.fiscal.client import WebkassaClient

    try:
        with WebkassaClient(config.fiscal) as client:
            if action == "ping":
                client.ping()
                print(
                    f"OK: {config.fiscal.base_url} answers; cashbox {config.fiscal.cashbox}"
                    " is the user's",
                    file=out,
                )
            else:
                report = client.zreport()
                if not report:
                    print("no open shift: nothing to close", file=out)
                else:
                    print(
                        f"Z-report {report.get('ReportNumber')}: shift {report.get('ShiftNumber')}"
                        f" closed, {report.get('DocumentCount')} document(s)",
                        file=out,
                    )
    except errors.RegisterError as exc:
        print(f"the register refused: {exc}", file=sys.stderr)
        return EXIT_API
    except errors.FiscalError as exc:
        print(f"the register could not be reached: {exc}", file=sys.stderr)
        return EXIT_NETWORK
    return EXIT_OK
