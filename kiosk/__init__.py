"""Self-service payment kiosk for Kaspi QR."""

__version__ = "0.1.0"
