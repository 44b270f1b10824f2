"""The kiosk as the cashless device of an MDB vending machine; Qt-free (the bridge: kiosk.gui)."""
