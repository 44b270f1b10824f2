"""Fiscal receipts from an online cash register (Webkassa), with no Qt in it.

Only `settings` is imported when the kiosk starts; the client, the sender and
the emulator are imported when `[fiscal] provider` names a register, so a kiosk
without one runs exactly as before.
"""
