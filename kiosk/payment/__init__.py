"""The payment core, no Qt: one payment's state machine, what a sale can be, what the kiosk
is doing, and how interrupted sales are settled with the bank at start."""
