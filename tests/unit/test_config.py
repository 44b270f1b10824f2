"""The config file: every key declared, documented, validated with one clear line."""

import dataclasses
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.config import ConfigError
from kiosk.operator import registration
from kiosk.operator.access import hash_pin

EXAMPLE = Path(__file__).parents[2] / "config" / "kiosk.example.toml"

MINIMAL = """
[kaspi]
scheme = "standard"
base_url = "https://mtokentest.kaspi.kz:8544/r2/v01"
cert_file = "certs/client.pfx"
key_password = "s3cret-pass"
ca_file = "certs/ca-bundle.pem"
[device]
device_id = "KIOSK-001"
trade_point_id = 1
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_documents_every_key_and_loads() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for name, section in cfg.sections().items():
        declared = {f.name for f in dataclasses.fields(section)}
        assert set(data[name]) == declared, name
    cfg.load(EXAMPLE)


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    c = cfg.load(write(tmp_path, MINIMAL))
    assert c.resolve(c.kaspi.cert_file) == tmp_path / "certs" / "client.pfx"
    assert c.resolve("/abs/x.pem") == Path("/abs/x.pem")


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (('scheme = "standard"', 'scheme = "premium"'), "kaspi.scheme"),
        (("trade_point_id = 1", 'trade_point_id = "one"'), "device.trade_point_id"),
        (('device_id = "KIOSK-001"', 'device_id = "КИОСК 1"'), "device.device_id"),
        (('cert_file = "certs/client.pfx"', 'cert_file = ""'), "kaspi.cert_file"),
        (('base_url = "https://', 'base_url = "http://'), "kaspi.base_url"),
        (("[device]", 'colour = "red"\n[device]'), "kaspi.colour"),
        (('scheme = "standard"', 'scheme = "enhanced"'), "kaspi.organization_bin"),
        (('scheme = "standard"', 'scheme = "basic"'), "kaspi.api_key"),
        (("[device]", "[sale]\nmax_amount = 0.5\n[device]"), "sale.max_amount"),
        (("[device]", '[host_api]\nenabled = true\ntoken = "short"\n[device]'), "host_api.token"),
        (("[device]", "[nonsense]\n[device]"), "[nonsense]"),
        (("[device]", "[mdb]\nenabled = true\n[device]"), "mdb.port"),
        (("[device]", '[mdb]\nenabled = true\nport = "  "\n[device]'), "mdb.port"),
        (("[device]", "[mdb]\nbaudrate = 12345\n[device]"), "mdb.baudrate"),
        (("[device]", "[mdb]\nvend_timeout = 0\n[device]"), "mdb.vend_timeout"),
        (("[device]", "[mdb]\ndispense_timeout = -1\n[device]"), "mdb.dispense_timeout"),
        (("[device]", "[mdb]\nprice_scale = 0\n[device]"), "mdb.price_scale"),
        (("[device]", '[mdb]\nprice_scale = "100"\n[device]'), "mdb.price_scale"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, edit: tuple[str, str], key: str) -> None:
    text = MINIMAL.replace(*edit)
    assert text != MINIMAL
    with pytest.raises(ConfigError) as info:
        cfg.load(write(tmp_path, text))
    assert info.value.key == key
    assert str(info.value).startswith(key)


def test_missing_and_broken_files_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        cfg.load(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        cfg.load(write(tmp_path, "[kaspi\nscheme="))


def test_write_value_keeps_comments_and_layout(tmp_path: Path) -> None:
    original = "# operator's note\n" + MINIMAL.replace(
        'ca_file = "certs/ca-bundle.pem"',
        'ca_file = "certs/ca-bundle.pem"  # from the bank\ndevice_token = ""',
    )
    path = write(tmp_path, original)
    cfg.write_value(path, "kaspi", "device_token", "2be4cc91-5895")
    text = path.read_text(encoding="utf-8")
    assert text == original.replace('device_token = ""', 'device_token = "2be4cc91-5895"')
    assert cfg.load(path).kaspi.device_token == "2be4cc91-5895"
    assert not list(tmp_path.glob(".kiosk.toml.*")), "no temporary file is left behind"


def test_registering_and_unregistering_each_write_the_config_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every state of the file a reader (the kiosk's reload, a power cut) can meet is whole:
    never a token cleared without the removal remembered (the kiosk would register itself
    again at its next start), never a new token beside an old removal."""
    path = write(tmp_path, MINIMAL)
    written: list[str] = []
    real = cfg.atomic_write_text

    def recorded(target: Path, text: str) -> None:
        written.append(text)
        real(target, text)

    monkeypatch.setattr(cfg, "atomic_write_text", recorded)
    registration.save_registered(path, "2be4cc91-5895", "KIOSK-002", 7)
    registration.save_unregistered(path)
    registration.save_registered(path, "77aa-1234", "KIOSK-002", 7)
    states = [tomllib.loads(text) for text in written]
    assert [(s["kaspi"]["device_token"], s["device"]["registration_removed"]) for s in states] == [
        ("2be4cc91-5895", False),
        ("", True),
        ("77aa-1234", False),
    ]
    assert states[0]["device"]["device_id"] == "KIOSK-002"
    assert states[0]["device"]["trade_point_id"] == 7


def test_secret_values_lists_only_secrets(tmp_path: Path) -> None:
    c = cfg.load(write(tmp_path, MINIMAL))
    assert cfg.secret_values(c) == ["s3cret-pass"]


def test_money_limits_are_decimal_exactly_as_written(tmp_path: Path) -> None:
    config = cfg.load(write(tmp_path, MINIMAL + "[sale]\nmin_amount = 0.1\nmax_amount = 200000\n"))
    assert config.sale.min_amount == Decimal("0.1") and type(config.sale.min_amount) is Decimal
    assert config.sale.max_amount == Decimal("200000")
    assert cfg.Config().sale.min_amount == Decimal("1")


@pytest.mark.parametrize("value", ["nan", "inf", '"100"', "true"])
def test_a_money_limit_that_is_not_a_finite_number_is_one_clear_line(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(ConfigError) as info:
        cfg.load(write(tmp_path, MINIMAL + f"[sale]\nmax_amount = {value}\n"))
    assert info.value.key == "sale.max_amount"


def test_kaspi_settings_resolve_paths_and_keep_secrets_out_of_repr(tmp_path: Path) -> None:
    stored = hash_pin("1234")
    config = cfg.load(write(tmp_path, MINIMAL + f'[kiosk]\nservice_pin = "{stored}"\n'))
    settings = cfg.kaspi_settings(config)
    assert settings.cert_file == tmp_path / "certs" / "client.pfx"
    assert settings.ca_file == tmp_path / "certs" / "ca-bundle.pem"
    assert settings.key_file is None  # empty in the file: no path, not the config's folder
    assert settings.key_password == "s3cret-pass" and "s3cret-pass" not in repr(settings)
    assert (settings.scheme, settings.retries) == ("standard", config.kaspi.retries)


@pytest.mark.parametrize(
    ("scheme", "url", "warned"),
    [
        ("standard", "https://mtokentest.kaspi.kz:8544/r2/v01", False),
        ("basic", "https://mtokentest.kaspi.kz:8544/r2/v01", True),
        ("enhanced", "https://mtokentest.kaspi.kz:8543/r1/v01", True),
        ("standard", "https://bank.example/qr/api/v01", False),  # production: no /rN/
    ],
)
def test_base_url_of_another_scheme_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, scheme: str, url: str, warned: bool
) -> None:
    """/r1|/r2|/r3 in base_url that is not the scheme's own (docs/kaspi/api.md §1.2)."""
    text = MINIMAL.replace('scheme = "standard"', f'scheme = "{scheme}"')
    text = text.replace("https://mtokentest.kaspi.kz:8544/r2/v01", url)
    if scheme == "basic":
        text = text.replace('cert_file = "certs/client.pfx"', 'api_key = "test_abc"')
    if scheme == "enhanced":
        text = text.replace("[device]", 'organization_bin = "180340021791"\n[device]')
    with caplog.at_level("WARNING", logger="kiosk.config"):
        cfg.load(write(tmp_path, text))
    messages = [r.getMessage() for r in caplog.records if r.name == "kiosk.config"]
    assert bool(messages) is warned, messages
    if warned:
        assert "kaspi.base_url" in messages[0] and f"kaspi.scheme is {scheme}" in messages[0]


# --- secrets are never quoted ------------------------------------------------------------------

SECRET_KEYS = [
    f"{name}.{f.name}"
    for name, section in cfg.sections().items()
    for f in dataclasses.fields(section)
    if cfg.is_secret_key(f"{name}.{f.name}")
]
WRONG = [987654321, 98765.4321, True, [98765, 43210], {"x": "987654321"}]


def test_every_declared_secret_is_known_as_one() -> None:
    assert {
        "kaspi.api_key",
        "kaspi.key_password",
        "kaspi.device_token",
        "kiosk.service_pin",
        "host_api.token",
        "metrics.token",
    } <= set(SECRET_KEYS)
    # A section added later (say [metrics] with a token) is a secret by its name alone.
    assert cfg.is_secret_key("metrics.token") and cfg.is_secret_key("alerts.smtp_password")
    assert not cfg.is_secret_key("kaspi.base_url") and not cfg.is_secret_key("sale.max_amount")


@pytest.mark.parametrize(
    ("label", "secret"),
    [
        ("Key password", True),
        ("API key", True),
        ("Private key", True),
        ("device_token", True),
        ("Service PIN", True),
        ("apitoken", True),
        ("Last ping", False),
        ("Base URL", False),
        ("Shipping", False),
        ("Journal", False),
    ],
)
def test_service_mode_hides_labels_by_the_same_rule(label: str, secret: bool) -> None:
    """One definition of a secret's name: config errors and service mode's status table."""
    assert cfg.is_secret_key(label) is secret


@pytest.mark.parametrize("key", SECRET_KEYS)
@pytest.mark.parametrize("raw", WRONG, ids=type)
def test_a_wrongly_typed_secret_names_the_key_never_the_value(key: str, raw: object) -> None:
    section, name = key.split(".")
    data = tomllib.loads(MINIMAL)
    data.setdefault(section, {})[name] = raw
    with pytest.raises(ConfigError) as info:
        cfg.from_mapping(data)
    message = str(info.value)
    assert message.startswith(f"{key}: must be ") and "not shown" in message
    for fragment in ("98765", "4321", "True", "987654321"):
        assert fragment not in message


def test_a_wrongly_typed_secret_in_a_real_file_is_not_printed(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(tmp_path, MINIMAL.replace('"s3cret-pass"', "987654321"))
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(path), "ping"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "kaspi.key_password: must be text in quotes" in done.stderr
    assert "987654321" not in done.stderr + done.stdout


def test_an_ordinary_key_still_shows_the_wrong_value() -> None:
    data = tomllib.loads(MINIMAL)
    data["kaspi"]["retries"] = "x"
    with pytest.raises(ConfigError, match=r"kaspi.retries: must be a whole number, not 'x'"):
        cfg.from_mapping(data)
