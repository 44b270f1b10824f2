"""Prometheus metrics for a fleet of kiosks: the exporter and what the kiosk reports.

Free of Qt. The running kiosk holds one KioskMetrics and reports to it through
the few calls its docstring lists; everything else here is read at scrape time.
Why the kiosk is out of service is the mode's vocabulary (kiosk.payment.mode.OutOfServiceReason).
"""

from kiosk.metrics.recorder import KioskMetrics

__all__ = ["KioskMetrics"]
