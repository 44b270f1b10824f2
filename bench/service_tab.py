"""What a refresh of service mode's sales tab costs: the journal's last 200 sales in the table.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/service_tab.py [--sales 200] [--runs 5]

The operator's desk lists at most 200 sales; the tab fills a QTableWidget whose rows are
as high as their text. Each run replaces every item (a refresh, or a language switch),
on the GUI thread: the screen is frozen for as long as it takes. Printed: the first fill,
then the median and worst of the refreshes after it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from helpers.journal import refund_record, sale_record  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.gui.service.sales import SaleLine, SalesPage  # noqa: E402


def lines(count: int) -> list[SaleLine]:
    """`count` sales, every fifth with a refund line under its state."""
    return [
        SaleLine(
            sale_record(sale_id=n, amount=Decimal(100 + n), qr_payment_id=502_000_000_000 + n),
            (refund_record(sale_id=n),) if n % 5 == 0 else (),
        )
        for n in range(1, count + 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    sales = lines(args.sales)
    page = SalesPage(lambda source, done: done(source(), None), lambda: sales)
    page.resize(1280, 700)
    page.show()
    app.processEvents()
    times = []
    for _ in range(args.runs + 1):
        start = time.perf_counter()
        page.load()
        app.processEvents()
        times.append(time.perf_counter() - start)
    first, refreshes = times[0], times[1:]
    print(f"sales tab, {args.sales} sales, 1280x700:")
    print(f"  first fill: {first * 1000:.0f} ms")
    print(
        f"  refresh:    median {statistics.median(refreshes) * 1000:.0f} ms,"
        f" worst {max(refreshes) * 1000:.0f} ms ({args.runs} runs)"
    )


if __name__ == "__main__":
    main()
