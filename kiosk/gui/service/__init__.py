"""Service mode for the operator: the PIN pad, the tabs and the backend over the running kiosk."""
