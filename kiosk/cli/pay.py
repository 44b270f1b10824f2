"""`kiosk pay`, `kiosk refund` and the remote-invoice commands: money in the terminal."""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from kiosk.cli.common import (
    EXIT_NOT_PAID,
    EXIT_OK,
    EXIT_UNKNOWN,
    CommandError,
    load_config,
    print_json,
)
from kiosk.config import Config, kaspi_settings
from kiosk.kaspi import errors
from kiosk.payment.sale import SaleState

if TYPE_CHECKING:
    from kiosk.kaspi.client import KaspiClient


def parse_amount(text: str) -> Decimal:
    """An amount in tenge with at most two decimals (tiyn), more than 0."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"the amount must be more than 0: {text!r}")
    if value != value.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"at most two decimals (tiyn): {text!r}")
    return value


def _plain(amount: Decimal) -> str:
    """500000 rather than 500000.0 or 5E+5: the limits as an operator wrote them."""
    return format(amount.normalize(), "f")


def terminal_qr(content: str) -> str:
    import qrcode

    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(content)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


def _client(config: Config) -> KaspiClient:
    # Imported here: requests is the largest import of the command line, and
    # `kiosk --help` or `kiosk run` must not pay for it.
    from kiosk.kaspi.client import KaspiClient

    return KaspiClient(kaspi_settings(config))


def _say(args: argparse.Namespace, text: str) -> None:
    # With --json, stdout carries only the JSON result; progress goes to stderr.
    print(text, file=sys.stderr if args.json else sys.stdout, flush=True)


def cmd_pay(args: argparse.Namespace) -> int:
    from kiosk.payment.flow import Change, PaymentFlow, run_flow, seconds_to_expiry

    config = load_config(args)
    amount: Decimal = args.amount
    if not config.sale.min_amount <= amount <= config.sale.max_amount:
        raise CommandError(
            f"amount {amount} is outside sale.min_amount..sale.max_amount "
            f"({_plain(config.sale.min_amount)}..{_plain(config.sale.max_amount)})"
        )
    with _client(config) as client:
        payment = client.create_qr(amount, args.external_id)
        b = payment.behavior
        _say(args, terminal_qr(payment.qr_token))
        _say(args, f"Payment {payment.payment_id}: {amount} ₸ — scan with the Kaspi.kz app")
        if payment.payment_methods:
            _say(args, "Payment methods: " + ", ".join(payment.payment_methods))
        _say(
            args,
            f"Polling every {b.poll_interval:g} s; scan within {b.scan_timeout:g} s, "
            f"confirm within {b.confirm_timeout:g} s",
        )
        # The QR dies at the earlier of creation + scan timeout and an offset-aware ExpireDate.
        expires_in = seconds_to_expiry(payment.expire_date, datetime.now(UTC))
        flow = PaymentFlow(payment.payment_id, b, time.monotonic(), expires_in=expires_in)

        def on_change(change: Change) -> None:
            if change.old is change.new:
                if not flow.qr_visible and flow.state is SaleState.QR:
                    _say(args, "  QR expired; one last status read")
                return
            reason = f" ({change.reason.value})" if change.reason else ""
            _say(args, f"  -> {change.new.value}{reason}")

        try:
            run_flow(
                flow,
                lambda: client.payment_status(payment.payment_id, retry=False).status,
                time.monotonic,
                time.sleep,
                on_change,
            )
        except KeyboardInterrupt:
            raise CommandError(
                f"interrupted: payment {payment.payment_id} may still be paid; "
                f"check it with `kiosk status {payment.payment_id}`",
                130,
            ) from None
        checked = _check_amount(args, client, config.kaspi.scheme, payment.payment_id, amount, flow)
    result = {
        "QrPaymentId": payment.payment_id,
        "Amount": str(amount),
        "State": flow.state.value,
        "Status": flow.last_status,
        "Reason": flow.reason.value if flow.reason else None,
        "AmountChecked": checked,
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"Payment {payment.payment_id}: {flow.last_status or 'no status'} ({flow.state.value})"
        )
    if flow.state is SaleState.PROCESSED and not flow.needs_operator:
        return EXIT_OK
    return EXIT_UNKNOWN if flow.state is SaleState.UNKNOWN else EXIT_NOT_PAID


def _check_amount(
    args: argparse.Namespace,
    client: KaspiClient,
    scheme: str,
    payment_id: int,
    amount: Decimal,
    flow: object,
) -> bool | None:
    """Compare the paid TotalAmount with the sale's amount where the scheme offers details."""
    from kiosk.payment.flow import PaymentFlow

    assert isinstance(flow, PaymentFlow)
    if flow.state is not SaleState.PROCESSED or scheme == "basic":
        return None
    try:
        details = client.payment_details(payment_id)
    except errors.KaspiError as exc:
        _say(args, f"warning: could not check the paid amount: {exc}")
        return None
    flow.on_paid_amount(details.total_amount, amount, time.monotonic())
    return details.total_amount == amount


def cmd_refund(args: argparse.Namespace) -> int:
    from kiosk.journal import Journal, RefundPending
    from kiosk.refund import steps as refund

    config = load_config(args)
    if config.kaspi.scheme == "basic":
        raise CommandError(
            "scheme basic has no refunds in the API: the cashier refunds in the Kaspi Pay app"
        )
    amount: Decimal = args.amount
    # Journalled before and after the call, like the service screen's refunds.
    with _client(config) as client, Journal.open(config.data_dir) as journal:
        try:
            if config.kaspi.scheme == "standard":
                return_id = _customer_return_qr(args, client)
                if return_id is None:
                    return EXIT_NOT_PAID
                result = refund.refund_with_customer(
                    client, journal, args.payment_id, amount, return_id
                )
            else:
                result = refund.refund_without_customer(client, journal, args.payment_id, amount)
        except (refund.RefundRefused, RefundPending) as exc:
            raise CommandError(str(exc), EXIT_NOT_PAID) from None
        except refund.RefundUnknown as exc:
            raise CommandError(
                f"no usable answer to the refund of payment {args.payment_id} ({exc.detail}):"
                f" it may have gone through; check `kiosk details {args.payment_id}` before"
                " another",
                EXIT_UNKNOWN,
            ) from None
    operation = result.return_operation_id
    if args.json:
        print_json(
            {"QrPaymentId": args.payment_id, "Amount": str(amount), "ReturnOperationId": operation}
        )
    else:
        print(f"Refunded {amount} ₸ of payment {args.payment_id}: operation {operation}")
    return EXIT_OK


def _customer_return_qr(args: argparse.Namespace, client: KaspiClient) -> int | None:
    """Scheme standard: the customer scans a return QR; its id authorises the refund."""
    from kiosk.refund.steps import ReturnVerdict, wait_for_customer

    ret = client.create_return()
    _say(args, terminal_qr(ret.qr_token))
    _say(
        args,
        f"Return {ret.return_id}: the customer scans this with the Kaspi.kz app "
        f"(within {ret.scan_timeout:g} s)",
    )

    def on_read(_status: str | None, error: errors.KaspiError | None) -> None:
        if error is not None:
            _say(args, f"  (status read failed: {error}; trying again)")

    verdict = wait_for_customer(
        client, ret, clock=time.monotonic, sleep=time.sleep, on_read=on_read
    )
    if verdict is ReturnVerdict.IDENTIFIED:
        return ret.return_id
    _say(
        args,
        {
            ReturnVerdict.FAILED: "The return QR failed at the bank.",
            ReturnVerdict.EXPIRED: "The customer did not scan the return QR in time.",
        }.get(verdict, "The return QR's status could not be read by its deadline."),
    )
    return None


def cmd_remote_invoice(args: argparse.Namespace) -> int:
    config = load_config(args)
    with _client(config) as client:
        try:
            name = client.remote_client_info(args.phone)
            payment_id = client.remote_create(args.phone, args.amount, args.comment)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    print(
        f"Invoice {payment_id} for {args.amount} ₸ sent to {name}; the customer has 24 hours. "
        f"Check it with `kiosk status {payment_id}` (the bank forbids automatic polling)."
    )
    return EXIT_OK


def cmd_remote_cancel(args: argparse.Namespace) -> int:
    config = load_config(args)
    with _client(config) as client:
        status = client.remote_cancel(args.payment_id)
    print(f"Invoice {args.payment_id}: {status}")
    return EXIT_OK
