"""The Webkassa client against the embedded register over real HTTP on loopback."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from kiosk.fiscal import errors
from kiosk.fiscal.client import WebkassaClient
from kiosk.fiscal.emulator import WebkassaEmulator
from kiosk.fiscal.models import Operation, ReceiptRequest, ReturnBasis, TicketLink, vat_of
from kiosk.fiscal.settings import FiscalSettings


@pytest.fixture
def register() -> Iterator[WebkassaEmulator]:
    with WebkassaEmulator() as emulator:
        yield emulator


def settings_for(register: WebkassaEmulator, **changes: object) -> FiscalSettings:
    values: dict[str, object] = {
        "provider": "webkassa",
        "base_url": register.base_url,
        "api_key": register.state.api_key,
        "login": register.state.login,
        "password": register.state.password,
        "cashbox": register.state.cashbox,
        "timeout": 3.0,
    }
    values.update(changes)
    return FiscalSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(register: WebkassaEmulator) -> Iterator[WebkassaClient]:
    with WebkassaClient(settings_for(register)) as c:
        yield c


def sale(number: str = "ext-1", amount: str = "500", vat: int = 0) -> ReceiptRequest:
    return ReceiptRequest(number, Operation.SALE, Decimal(amount), "Товар", 4, vat, "17")


def test_vat_is_the_registers_rounding() -> None:
    assert vat_of(Decimal("500"), 12) == Decimal("53.57")
    assert vat_of(Decimal("500"), 0) == Decimal("0.00")


def test_sale_receipt_totals_the_amount(register: WebkassaEmulator, client: WebkassaClient) -> None:
    result = client.check(sale(amount="1250.50", vat=12))
    assert not result.duplicate
    receipt = result.receipt
    assert receipt.number and receipt.registration_number == register.state.registration_number
    assert receipt.ticket_url is not None and f"i={receipt.number}" in receipt.ticket_url
    (made,) = register.state.receipts
    positions = made.body["positions"]
    payments = made.body["payments"]
    assert isinstance(positions, list) and isinstance(payments, list)
    assert sum(Decimal(str(p["price"])) * p["count"] for p in positions) == Decimal("1250.50")
    assert sum(Decimal(str(p["sum"])) for p in payments) == Decimal("1250.50")
    assert payments[0]["paymenttype"] == 4 and made.operation == 2


def test_repeat_answers_the_original_and_makes_nothing(
    register: WebkassaEmulator, client: WebkassaClient
) -> None:
    first = client.check(sale())
    again = client.check(sale())
    assert again.duplicate and again.receipt.number == first.receipt.number
    assert again.receipt.ticket_url == first.receipt.ticket_url
    assert len(register.state.receipts) == 1


def test_code_14_without_data_is_looked_up(
    register: WebkassaEmulator, client: WebkassaClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.check(sale())
    # A cloud that answers 14 without Data: faked, the embedded register always sends it.
    original = register.answer

    def bare(path: str, body: dict[str, object]) -> dict[str, object]:
        envelope = original(path, body)
        if path.lower() == "/api/v4/check":
            envelope.pop("Data", None)
        return envelope

    monkeypatch.setattr(register, "answer", bare)
    again = client.check(sale())
    assert again.duplicate and again.receipt.number == first.receipt.number
    assert again.receipt.registration_number == register.state.registration_number


def test_expired_token_is_renewed_once(register: WebkassaEmulator, client: WebkassaClient) -> None:
    client.check(sale("a"))
    register.state.expire_tokens()
    client.check(sale("b"))
    authorizations = [s for s in register.seen if s.path.endswith("Authorize")]
    assert len(authorizations) == 2
    assert len(register.state.receipts) == 2


def test_errors_are_typed(register: WebkassaEmulator) -> None:
    with (
        WebkassaClient(settings_for(register, password="wrong-password")) as c,
        pytest.raises(errors.RegisterError) as info,
    ):
        c.check(sale())
    assert info.value.codes == {1} and info.value.refused_for_good
    assert "wrong-password" not in str(info.value)
    with (
        WebkassaClient(settings_for(register, cashbox="SWK-OTHER")) as c,
        pytest.raises(errors.RegisterError) as info,
    ):
        c.check(sale())
    assert info.value.codes == {6} and info.value.refused_for_good
    with (
        WebkassaClient(settings_for(register, api_key="WKD-WRONG")) as c,
        pytest.raises(errors.HttpError) as http,
    ):
        c.check(sale())
    assert http.value.outcome_unknown and http.value.status == 401


@pytest.mark.slow  # a 4 s answer against a 3 s timeout
def test_faults_are_outcome_unknown(register: WebkassaEmulator, client: WebkassaClient) -> None:
    client.authorize()
    for mode in ("http500", "nonjson", "drop"):
        register.inject(mode, path_contains="Check")
        with pytest.raises(errors.FiscalError) as info:
            client.check(sale(f"ext-{mode}"))
        assert info.value.outcome_unknown, mode
    # The lost answer was carried out: the repeat gets it back, and nothing new is made.
    assert [r.external_number for r in register.state.receipts] == ["ext-drop"]
    assert client.check(sale("ext-drop")).duplicate
    register.inject("slow", path_contains="Check", delay=4.0)
    with pytest.raises(errors.TransportError):
        client.check(sale("ext-slow"))


def test_shift_over_24_hours_then_zreport(
    register: WebkassaEmulator, client: WebkassaClient
) -> None:
    client.check(sale("a"))
    register.state.age_shift(25)
    with pytest.raises(errors.RegisterError) as info:
        client.check(sale("b"))
    assert info.value.shift_too_long and not info.value.refused_for_good
    report = client.zreport()
    assert report["ShiftNumber"] == 1
    assert client.check(sale("b")).receipt.shift_number == 2
    assert client.zreport()["ShiftNumber"] == 2
    assert client.zreport() == {}  # nothing to close: not an error


def test_return_names_its_original(register: WebkassaEmulator, client: WebkassaClient) -> None:
    original = client.check(sale("s-1", amount="700")).receipt
    assert original.registration_number is not None
    basis = ReturnBasis(
        original.number, original.date_time, original.registration_number, Decimal(700), False
    )
    back = ReceiptRequest("r-1", Operation.SALE_RETURN, Decimal(300), "Товар", 4, 0, "17", basis)
    assert client.check(back).receipt.number != original.number
    too_much = ReceiptRequest(
        "r-2", Operation.SALE_RETURN, Decimal(500), "Товар", 4, 0, "17", basis
    )
    with pytest.raises(errors.RegisterError) as info:
        client.check(too_much)
    assert info.value.codes == {9}
    nameless = ReceiptRequest("r-3", Operation.SALE_RETURN, Decimal(1), "Товар", 4, 0)
    with pytest.raises(errors.RegisterError):
        client.check(nameless)


def test_offline_receipts_are_marked(register: WebkassaEmulator, client: WebkassaClient) -> None:
    register.state.go_offline()
    assert client.check(sale("a")).receipt.offline
    register.state.go_offline(hours=73)
    with pytest.raises(errors.RegisterError) as info:
        client.check(sale("b"))
    assert info.value.codes == {18} and not info.value.refused_for_good


def test_ping_and_lookup(register: WebkassaEmulator, client: WebkassaClient) -> None:
    client.ping()
    assert client.find("nothing") is None
    made = client.check(sale("x")).receipt
    found = client.find("x")
    assert found is not None and found.number == made.number and found.date_time == made.date_time
    assert TicketLink.parse("http://ofd/consumer?f=1") is None


def test_control_endpoints(register: WebkassaEmulator, client: WebkassaClient) -> None:
    base = register.base_url
    assert requests.post(f"{base}/emulator/faults", json={"mode": "http500"}, timeout=5).ok
    with pytest.raises(errors.HttpError):
        client.check(sale())
    assert requests.post(f"{base}/emulator/shift/age", json={"hours": 30}, timeout=5).ok
    with pytest.raises(errors.RegisterError):
        client.check(sale())
    client.zreport()
    client.check(sale())
    made = requests.get(f"{base}/emulator/receipts", timeout=5).json()
    assert [m["external_number"] for m in made] == ["ext-1"]


def camel(value: object) -> object:
    """The same JSON with every key camelCased (ASP.NET Core's default spelling)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def test_answers_are_read_in_any_letter_case(
    register: WebkassaEmulator, client: WebkassaClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A register answering camelCase: faked on the embedded one, which answers PascalCase.
    original = register.answer
    monkeypatch.setattr(register, "answer", lambda path, body: camel(original(path, body)))
    first = client.check(sale("c-1"))
    assert first.receipt.number and first.receipt.registration_number
    assert first.receipt.ticket_url is not None
    again = client.check(sale("c-1"))
    assert again.duplicate and again.receipt.number == first.receipt.number
    assert client.zreport()["ShiftNumber"] == 1
    with pytest.raises(errors.RegisterError) as info:
        client.check(ReceiptRequest("c-2", Operation.SALE_RETURN, Decimal(1), "Товар", 4, 0))
    assert info.value.codes == {9}
