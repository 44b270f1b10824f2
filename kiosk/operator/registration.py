"""Device registration for the operator: list trade points, register, unregister.

Each function calls the bank once and, on success, writes the config file
through kiosk.config.write_values (the operator's comments and layout stay; the
write is atomic). The caller then reloads the config (kiosk.operator.reload)
so the running kiosk uses the new token. Failures are the bank client's typed
errors or an OperatorError raised before any call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import write_values
from kiosk.i18n.refusal import OperatorError
from kiosk.kaspi import errors
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.models import TradePoint
from kiosk.kaspi.validate import valid_device_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Registered:
    device_id: str
    trade_point_id: int


@dataclass(frozen=True)
class Unregistered:
    device_id: str
    #: The bank no longer knew the device (-1501, or -1502 deleted): only the token was cleared.
    already_gone: bool


def trade_points(client: KaspiClient) -> list[TradePoint]:
    """The organisation's trade points (scheme enhanced: of the configured BIN)."""
    return client.trade_points()


def register(
    client: KaspiClient, config_path: Path, device_id: str, trade_point_id: int
) -> Registered:
    """device/register, then the token, device id and trade point are saved in the config.

    The same device id at the same trade point gets the same token again, so a
    repeat after a lost answer is harmless (docs/kaspi/api.md §4.2).
    """
    if not valid_device_id(device_id):
        raise OperatorError("problem.register.device_id")
    if trade_point_id <= 0:
        raise OperatorError("problem.register.trade_point")
    token = client.register_device(device_id, trade_point_id)
    save_registered(config_path, token, device_id, trade_point_id)
    log.info("operator registered %s at trade point %s; token saved", device_id, trade_point_id)
    return Registered(device_id, trade_point_id)


def unregister(client: KaspiClient, config_path: Path, device_id: str) -> Unregistered:
    """device/delete, then the token is cleared in the config.

    A device the bank no longer knows (-1501) or has deleted (-1502) is unregistered
    already: the token is useless, so it is cleared too and the answer says so.
    """
    if not client.settings.device_token:
        raise OperatorError("problem.register.not_registered")
    gone = False
    try:
        client.delete_device()
    except errors.ApiError as exc:
        if exc.code not in errors.DEVICE_GONE:
            raise
        gone = True
    save_unregistered(config_path)
    log.info("operator unregistered %s%s", device_id, " (the bank knew it no more)" * gone)
    return Unregistered(device_id, gone)


def save_registered(config_path: Path, token: str, device_id: str, trade_point_id: int) -> None:
    """The config after device/register (service mode and `kiosk register` alike)."""
    write_values(
        config_path,
        {
            "kaspi": {"device_token": token},
            "device": {
                "device_id": device_id,
                "trade_point_id": trade_point_id,
                "registration_removed": False,
            },
        },
    )


def save_unregistered(config_path: Path) -> None:
    """The config after device/delete: no token, and the removal remembered.

    A kiosk with no token registers itself at start (a new install); one whose
    registration an operator removed must not, or the removal is undone at once:
    it stays out of service until the operator registers it again.
    """
    write_values(
        config_path, {"kaspi": {"device_token": ""}, "device": {"registration_removed": True}}
    )
