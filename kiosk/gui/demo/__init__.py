"""Demo mode's stand-ins: the customer's phone strip and the vending machine's buttons."""
