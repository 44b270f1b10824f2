"""Refunds in one place, no Qt: the bank's refund steps (steps.py) and the operator's plan
over them (plan.py); the journal's refunds table is their storage."""
