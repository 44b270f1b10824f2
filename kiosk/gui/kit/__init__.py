"""Parts every screen uses: theme and fonts, the QR image, widgets, the worker, the tap guard."""
