"""Entry points that open the kiosk's window: `kiosk run` (run.py) and `kiosk demo` (demo.py)."""
