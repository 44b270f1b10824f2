"""The operator's refusals, and every failure turned into one sentence in the operator's language.

A refusal is raised before anything is sent to the bank (an amount above what
can be refunded, a purchase not in the customer's list); `explain` reads any
error the operator's actions can meet — the bank's StatusCodes, the network,
the config, the journal — so a screen shows a sentence, never a traceback.
No secret is in any of them: the bank client's and the config's messages name
keys and files, never their values.
"""

from __future__ import annotations

from kiosk.i18n import code_message_id, tr
from kiosk.i18n.refusal import OperatorError
from kiosk.journal import JournalError, RefundPending
from kiosk.kaspi import errors
from kiosk.kaspi.settings import ConfigError


def code_sentence(code: int, lang: str, server_message: str | None = None) -> str:
    """A code in the operator's words (docs/kaspi/api.md §9); an unknown code keeps its number."""
    normal = errors.normalize_code(code)
    message_id = code_message_id(normal)
    if message_id is not None:
        return tr(message_id, lang)
    return tr("problem.code.unknown", lang, code=code, message=server_message or "—")


def explain(error: BaseException, lang: str) -> str:
    """One line for the operator in `lang`, whatever the operator's action ran into."""
    if isinstance(error, OperatorError):
        return error.text(lang)
    if isinstance(error, RefundPending):
        return tr("problem.refund.pending", lang, amount=error.record.amount)
    if isinstance(error, errors.ApiError):
        return code_sentence(error.raw_code, lang, error.server_message)
    if isinstance(error, errors.TlsError):
        return tr("problem.net.tls", lang)
    if isinstance(error, errors.TransportError):
        return tr("problem.net.down", lang)
    if isinstance(error, errors.UnsupportedOperation):
        return tr("problem.refund.basic", lang)
    if isinstance(error, errors.KaspiError):
        return tr("problem.net.http", lang, detail=error.message)
    if isinstance(error, ConfigError):
        return tr("problem.config", lang, detail=str(error))
    if isinstance(error, JournalError):
        return tr("problem.journal", lang, detail=str(error))
    return str(error) or type(error).__name__
