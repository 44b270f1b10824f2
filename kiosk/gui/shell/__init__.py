"""The running kiosk's shell: the window and its navigator, the start-up chain, and the bridges
to the host API, the MDB adapter, metrics and the bank's health."""
