"""`kiosk ping`, `tradepoints`, `register`, `unregister`, `status`, `details`, `cert-info`.

The commands that need only the bank client and the config.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.cli.common import EXIT_OK, CommandError, load_config, print_json
from kiosk.config import kaspi_settings
from kiosk.kaspi.settings import scheme_url_mismatch


def cmd_ping(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    mismatch = scheme_url_mismatch(config.kaspi.scheme, config.kaspi.base_url)
    if mismatch:  # said before the ping, which a wrong scheme usually fails
        print(f"warning: {mismatch}", file=sys.stderr)
    with KaspiClient(kaspi_settings(config)) as client:
        client.ping()
    print(f"OK: {config.kaspi.base_url} answers (scheme {config.kaspi.scheme})")
    return EXIT_OK


def cmd_tradepoints(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(kaspi_settings(config)) as client:
        points = client.trade_points()
    if args.json:
        print_json([{"TradePointId": p.id, "TradePointName": p.name} for p in points])
    else:
        for point in points:
            print(f"{point.id:>10}  {point.name}")
        if not points:
            print("No trade points.")
    return EXIT_OK


def cmd_register(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient
    from kiosk.operator.registration import save_registered

    config = load_config(args)
    device_id = args.device_id or config.device.device_id
    trade_point = args.trade_point if args.trade_point is not None else config.device.trade_point_id
    if not trade_point:
        raise CommandError("--trade-point is required (see `kiosk tradepoints`)")
    with KaspiClient(kaspi_settings(config)) as client:
        try:
            token = client.register_device(device_id, trade_point)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    assert config.path is not None
    save_registered(config.path, token, device_id, trade_point)
    print(
        f"Registered {device_id} at trade point {trade_point}; device_token saved in {config.path}"
    )
    return EXIT_OK


def cmd_unregister(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient
    from kiosk.operator.registration import save_unregistered

    config = load_config(args)
    with KaspiClient(kaspi_settings(config)) as client:
        client.delete_device()
    assert config.path is not None
    save_unregistered(config.path)
    print(
        f"Device {config.device.device_id} deleted at the bank; device_token cleared."
        " The kiosk stays out of service until it is registered again (`kiosk register`)."
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(kaspi_settings(config)) as client:
        report = client.payment_status(args.payment_id)
    if args.json:
        print_json({"QrPaymentId": args.payment_id, "Status": report.status, **report.extra})
    else:
        print(report.status)
    return EXIT_OK


def cmd_details(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(kaspi_settings(config)) as client:
        d = client.payment_details(args.payment_id)
    if args.json:
        print_json(
            {
                "QrPaymentId": d.payment_id,
                "TotalAmount": str(d.total_amount),
                "AvailableReturnAmount": str(d.available_return_amount),
                "TransactionDate": d.transaction_date.isoformat() if d.transaction_date else None,
                **d.extra,
            }
        )
    else:
        print(
            f"Payment {d.payment_id}: {d.total_amount} ₸, refundable {d.available_return_amount} ₸,"
            f" at {d.transaction_date.isoformat() if d.transaction_date else 'unknown time'}"
        )
    return EXIT_OK


def cmd_cert_info(args: argparse.Namespace) -> int:
    from kiosk.kaspi import tls
    from kiosk.operator.certificate import check_certificate

    config = load_config(args)
    if config.kaspi.scheme == "basic" or not config.kaspi.cert_file:
        raise CommandError("kaspi.cert_file: scheme basic uses an API key, not a certificate")
    settings = kaspi_settings(config)
    identity = tls.load_identity(settings)
    info = identity.info
    # The same judgement as the kiosk's: a warning from WARN_DAYS before expiry.
    check = check_certificate(settings, identity=identity)
    if args.json:
        print_json(
            {
                "file": str(config.resolve(config.kaspi.cert_file)),
                **info.to_json(),
                "state": check.state.value,
                "warning": check.sentence("en"),
            }
        )
        return EXIT_OK
    days = info.days_left()
    print(f"Subject:  {info.subject}")
    print(f"Issuer:   {info.issuer}")
    print(f"Serial:   {info.serial}")
    print(f"Valid:    {info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d}")
    print(f"Days left: {days}")
    if check.sentence("en"):
        print(f"Warning:  {check.sentence('en')}")
    print(f"SHA-256:  {info.sha256}")
    return EXIT_OK
