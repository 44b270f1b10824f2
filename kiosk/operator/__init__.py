"""The operator's jobs without Qt: registration, refunds, certificate care, config reload, status.

Service mode (kiosk/gui/service/) renders these; the command line can
use them too. Each module calls the bank client and the journal directly and
raises typed errors; `errors.explain` turns any of them into one sentence in
ru, kk or en (kiosk/i18n/problem.py holds the sentences).
"""
