"""The kiosk's configuration: every key declared once, validated at load.

Each section is a frozen dataclass; each field is a kiosk.options.option with
its type, default, limits and a one-line description (qutebrowser's configdata,
Electrum's ConfigVar); the checks between keys are in `validate`. A bad file
fails at load with one ConfigError naming the key. Relative paths
resolve against the config file's folder, so a folder with `kiosk.toml` and
`certs/` can be copied whole and an operator swaps a certificate by editing
one file.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, get_type_hints

from kiosk.fiscal import settings as fiscal_settings

# ConfigError is defined beside the bank client's settings, whose problems it names too.
from kiosk.kaspi.settings import SCHEMES, ConfigError, KaspiSettings, scheme_url_mismatch
from kiosk.kaspi.validate import DEVICE_ID_PROBLEM, valid_bin, valid_device_id
from kiosk.operator import access
from kiosk.options import declared, option, parse_section, secret_name

log = logging.getLogger(__name__)


#: Bounds shared by many keys: a TCP port, a path, a token or password, a URL.
MAX_PORT = 65535
PATH_CHARS = 1024
SECRET_CHARS = 1024
URL_CHARS = 2048
#: The whole file: the example with every comment is under 10 KiB.
MAX_FILE_BYTES = 256 * 1024
#: Money: no sale anywhere near this; it bounds a typo of extra zeros.
MAX_TENGE = Decimal("100000000")


@dataclass(frozen=True)
class KaspiSection:
    scheme: str = option(
        "standard",
        "basic (API key) | standard (certificate) | enhanced (certificate + BIN)",
        valid=SCHEMES,
    )
    base_url: str = option(
        "https://mtokentest.kaspi.kz:8544/r2/v01",
        "The scheme's base URL, up to the version",
        max_length=URL_CHARS,
    )
    status_api_version: str = option(
        "", "Version for payment/status only, e.g. v02; empty: as base_url", max_length=16
    )
    api_key: str = option(
        "",
        "Scheme basic: the Api-Key (test_... or prod_...)",
        max_length=SECRET_CHARS,
        secret=True,
    )
    cert_file: str = option(
        "",
        "Client certificate: .pfx/.p12, or a PEM certificate",
        max_length=PATH_CHARS,
        path=True,
    )
    key_file: str = option(
        "", "PEM private key when cert_file is PEM", max_length=PATH_CHARS, path=True
    )
    # A password reaches the key derivation of the PFX whole: a pasted file as a password
    # costs seconds of a core on every read.
    key_password: str = option(
        "", "Password of the PFX or of the PEM key", max_length=SECRET_CHARS, secret=True
    )
    ca_file: str = option(
        "",
        "PEM bundle of the bank's root + intermediate CA; empty: system trust",
        max_length=PATH_CHARS,
        path=True,
    )
    organization_bin: str = option(
        "", "Scheme enhanced: the organisation's 12-digit BIN/IIN", max_length=32
    )
    device_token: str = option("", "Written by `kiosk register`", max_length=256)
    proxy: str = option(
        "", "Outbound HTTPS proxy URL, e.g. http://10.0.0.5:3128", max_length=URL_CHARS
    )
    connect_timeout: float = option(5.0, "Seconds to connect to the bank", above=0, maxval=300)
    read_timeout: float = option(15.0, "Seconds to wait for an answer", above=0, maxval=600)
    retries: int = option(
        2,
        "Extra tries for status reads and pings (never for create or refund)",
        minval=0,
        maxval=10,
    )


@dataclass(frozen=True)
class DeviceSection:
    device_id: str = option(
        "KIOSK-001", "This kiosk's id at the bank: Latin letters, digits, - and _", max_length=64
    )
    trade_point_id: int = option(
        0, "Trade point the device is registered at", minval=0, maxval=2**63 - 1
    )
    registration_removed: bool = option(
        False,
        "Written by unregistering: the kiosk then stays out of service instead of registering"
        " itself again, until the operator registers it",
    )


@dataclass(frozen=True)
class SaleSection:
    # A Decimal default is immutable, so sharing it between instances is safe.
    min_amount: Decimal = option(  # noqa: RUF009
        Decimal("1"), "Smallest amount a customer may pay, tenge", above=0, maxval=MAX_TENGE
    )
    max_amount: Decimal = option(  # noqa: RUF009
        Decimal("500000"), "Largest amount, tenge", above=0, maxval=MAX_TENGE
    )
    result_seconds: float = option(
        6.0, "Seconds the success/error screen stays before the start", minval=1, maxval=600
    )
    idle_seconds: float = option(
        60.0, "Seconds without a touch before the amount screen resets", minval=5, maxval=3600
    )
    check_paid_amount: bool = option(
        True, "Compare payment/details TotalAmount with the sale amount"
    )


@dataclass(frozen=True)
class KioskSection:
    fullscreen: bool = option(True, "Full screen without a frame; false for a window (development)")
    hide_cursor: bool = option(False, "Hide the mouse cursor (touch screens)")
    service_pin: str = option(
        "",
        "Salted hash of the PIN that opens service mode (`kiosk set-pin`); empty: closed",
        max_length=256,
        secret=True,
    )
    health_interval: float = option(
        30.0, "Seconds between health pings while idle", minval=1, maxval=3600
    )
    recovery_seconds: float = option(
        5.0,
        "Seconds start-up recovery may ask the bank before the kiosk opens for sales",
        minval=1,
        maxval=300,
    )
    retry_seconds: float = option(
        15.0,
        "Seconds between start-up attempts while one fails (the config, the journal, the"
        " certificate): out of service meanwhile",
        minval=1,
        maxval=3600,
    )
    service_idle_seconds: float = option(
        120.0,
        "Seconds without a touch before service mode returns to the amount screen",
        minval=10,
        maxval=3600,
    )
    tap_guard_seconds: float = option(
        0.7,
        "Seconds a page that just appeared ignores taps (a double tap's second tap, up to"
        " 600 ms later, was meant for the page before)",
        minval=0.1,
        maxval=2,
    )


@dataclass(frozen=True)
class HostApiSection:
    enabled: bool = option(False, "Serve the local API for a vending-machine controller")
    port: int = option(8765, "TCP port on 127.0.0.1", minval=1, maxval=MAX_PORT)
    token: str = option(
        "", "Bearer token the controller must send", max_length=SECRET_CHARS, secret=True
    )


@dataclass(frozen=True)
class MetricsSection:
    enabled: bool = option(False, "Serve Prometheus metrics (GET /metrics) for fleet monitoring")
    bind: str = option(
        "127.0.0.1",
        "Address to listen on: 127.0.0.1, or the kiosk's LAN address for the fleet",
        max_length=64,
    )
    port: int = option(
        9108, "TCP port of the metrics, never the host API's", minval=1, maxval=MAX_PORT
    )
    token: str = option(
        "",
        "Bearer token Prometheus must send; empty: none",
        max_length=SECRET_CHARS,
        secret=True,
    )


@dataclass(frozen=True)
class MdbSection:
    enabled: bool = option(
        False, "Be the cashless device of an MDB vending machine (Qibixx adapter)"
    )
    port: str = option(
        "", "The adapter's serial port, e.g. COM5 or /dev/ttyACM0", max_length=PATH_CHARS
    )
    baudrate: int = option(
        115200,
        "Serial speed (the USB adapter ignores it; the Pi HAT's UART not)",
        valid=(9600, 19200, 38400, 57600, 115200),
    )
    vend_timeout: float = option(
        60.0,
        "Seconds the machine waits for an answer; the kiosk denies by then (set it lower)",
        above=0,
        maxval=3600,
    )
    dispense_timeout: float = option(
        30.0,
        "Seconds after the approval for the machine to report the dispense",
        above=0,
        maxval=3600,
    )
    price_scale: float = option(
        1.0,
        "Tenge per unit of the machine's price (100 if it counts tiyn)",
        above=0,
        maxval=1000000,
    )


@dataclass(frozen=True)
class StorageSection:
    data_dir: str = option(
        "",
        "Journal and logs; empty: %ProgramData%\\KaspiKiosk or ~/.local/share/kaspi-kiosk",
        max_length=PATH_CHARS,
        path=True,
    )
    retention_days: int = option(
        0, "Archive final sales older than this many days; 0: never", minval=0, maxval=36500
    )


@dataclass(frozen=True)
class LoggingSection:
    level: str = option(
        "INFO", "How much the log says", valid=("DEBUG", "INFO", "WARNING", "ERROR"), any_case=True
    )


@dataclass(frozen=True)
class Config:
    kaspi: KaspiSection = field(default_factory=KaspiSection)
    device: DeviceSection = field(default_factory=DeviceSection)
    sale: SaleSection = field(default_factory=SaleSection)
    kiosk: KioskSection = field(default_factory=KioskSection)
    host_api: HostApiSection = field(default_factory=HostApiSection)
    metrics: MetricsSection = field(default_factory=MetricsSection)
    mdb: MdbSection = field(default_factory=MdbSection)
    storage: StorageSection = field(default_factory=StorageSection)
    logging: LoggingSection = field(default_factory=LoggingSection)
    #: `[fiscal]`: declared and checked in kiosk/fiscal/settings.py, not a section here.
    fiscal: fiscal_settings.FiscalSettings = field(default_factory=fiscal_settings.FiscalSettings)
    #: The file this came from (None for defaults); relative paths resolve against its folder.
    path: Path | None = None

    def resolve(self, value: str) -> Path:
        """A path key's value as an absolute path."""
        p = Path(value).expanduser()
        if not p.is_absolute() and self.path is not None:
            p = self.path.parent / p
        return p

    @property
    def data_dir(self) -> Path:
        if self.storage.data_dir:
            return self.resolve(self.storage.data_dir)
        return default_data_dir()

    def replace(self, section: str, **changes: Any) -> Config:
        return dataclasses.replace(
            self, **{section: dataclasses.replace(getattr(self, section), **changes)}
        )


def kaspi_settings(config: Config) -> KaspiSettings:
    """The bank client's settings from the config: paths resolved, nothing else of the app."""
    k = config.kaspi

    def path(value: str) -> Path | None:
        return config.resolve(value) if value else None

    return KaspiSettings(
        scheme=k.scheme,
        base_url=k.base_url,
        status_api_version=k.status_api_version,
        api_key=k.api_key,
        cert_file=path(k.cert_file),
        key_file=path(k.key_file),
        key_password=k.key_password,
        ca_file=path(k.ca_file),
        organization_bin=k.organization_bin,
        device_token=k.device_token,
        proxy=k.proxy,
        connect_timeout=k.connect_timeout,
        read_timeout=k.read_timeout,
        retries=k.retries,
    )


def default_data_dir() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "KaspiKiosk"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kaspi-kiosk"


def sections() -> dict[str, type]:
    """Section name -> dataclass, in file order."""
    hints = get_type_hints(Config)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(Config)
        if f.name not in ("path", fiscal_settings.SECTION)
    }


def secret_values(config: Config) -> list[str]:
    """Every secret's current value, for the log filter that masks them."""
    found = []
    for name in sections():
        section = getattr(config, name)
        for spec in declared(type(section)):
            value = getattr(section, spec.name)
            if spec.limits.secret and isinstance(value, str) and value:
                found.append(value)
    return found + config.fiscal.secrets


def is_secret_key(key: str) -> bool:
    """Whether a config key (`section.key`) or a label shown for one ("Key password") holds
    a secret: declared secret, or named like one. The one rule for errors and service mode."""
    section, _, name = key.rpartition(".")
    if section == fiscal_settings.SECTION and name in fiscal_settings.SECRET_KEYS:
        return True
    cls = sections().get(section)
    if cls is not None and any(d.name == name and d.limits.secret for d in declared(cls)):
        return True
    return secret_name(name)


def from_mapping(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a parsed TOML document into a Config."""
    known = sections()
    built: dict[str, Any] = {}
    for name, raw_section in data.items():
        if name == fiscal_settings.SECTION:
            continue
        if name not in known:
            raise ConfigError(f"[{name}]", f"unknown section (known: {', '.join(known)})")
        if not isinstance(raw_section, dict):
            raise ConfigError(f"[{name}]", "must be a table")
    for name, cls in known.items():
        built[name] = parse_section(name, cls, data.get(name, {}))
    config = Config(**built, path=path)
    fiscal = fiscal_settings.parse(data.get(fiscal_settings.SECTION, {}), config.resolve)
    config = dataclasses.replace(config, fiscal=fiscal)
    validate(config)
    mismatch = scheme_url_mismatch(config.kaspi.scheme, config.kaspi.base_url)
    if mismatch:
        log.warning("%s", mismatch)
    return config


def validate(config: Config) -> None:
    """Checks between keys and of values; certificate files are checked by kiosk.kaspi.tls."""
    k = config.kaspi
    if not k.base_url.startswith("https://"):
        raise ConfigError("kaspi.base_url", "must start with https://")
    if k.scheme == "basic" and not k.api_key:
        raise ConfigError("kaspi.api_key", "is required for scheme basic")
    if k.scheme != "basic" and not k.cert_file:
        raise ConfigError("kaspi.cert_file", f"is required for scheme {k.scheme}")
    if k.scheme == "enhanced" and not valid_bin(k.organization_bin):
        raise ConfigError(
            "kaspi.organization_bin", "must be the 12-digit BIN/IIN for scheme enhanced"
        )
    if k.proxy and not k.proxy.startswith(("http://", "https://", "socks5://", "socks5h://")):
        raise ConfigError("kaspi.proxy", "must be a URL like http://host:port")
    if not valid_device_id(config.device.device_id):
        raise ConfigError("device.device_id", DEVICE_ID_PROBLEM)
    s = config.sale
    if s.max_amount < s.min_amount:
        raise ConfigError("sale.max_amount", "must not be below sale.min_amount")
    if config.kiosk.service_pin:
        try:
            access.check_stored(config.kiosk.service_pin)
        except access.PinError as exc:
            raise ConfigError("kiosk.service_pin", str(exc)) from None
    h = config.host_api
    if h.enabled and len(h.token) < 16:
        raise ConfigError(
            "host_api.token", "must be at least 16 characters when the host API is enabled"
        )
    _validate_metrics(config)
    m = config.mdb
    if m.enabled and not m.port.strip():
        raise ConfigError("mdb.port", "is required when mdb is enabled (e.g. COM5, /dev/ttyACM0)")


def _validate_metrics(config: Config) -> None:
    m = config.metrics
    try:
        ipaddress.ip_address(m.bind)
    except ValueError:
        raise ConfigError(
            "metrics.bind", f"must be an IP address such as 127.0.0.1 or 0.0.0.0, not {m.bind!r}"
        ) from None
    if m.enabled and config.host_api.enabled and m.port == config.host_api.port:
        raise ConfigError("metrics.port", "must differ from host_api.port")
    if m.token and len(m.token) < 16:
        raise ConfigError("metrics.token", "must be at least 16 characters, or empty for none")


def load(path: str | os.PathLike[str]) -> Config:
    """Read and validate a config file; every problem is one ConfigError line."""
    p = Path(path).expanduser().resolve()
    try:
        # Never more than the limit is read: a huge file is refused before parsing it.
        with p.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ConfigError(
                "",
                f"config file {p} is larger than {MAX_FILE_BYTES // 1024} KiB: "
                "a kiosk.toml is a few kilobytes; is it the right file?",
            )
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            "", f"config file not found: {p} (name another with --config PATH or $KIOSK_CONFIG)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"cannot read config file {p}: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{p} is not valid TOML: {exc}") from None
    try:
        return from_mapping(document, path=p)
    except ConfigError as exc:
        line = key_line(text, exc.key) if exc.key else None
        if line is None:
            raise
        # Where to look: the operator opens the file at that line (the value is never shown).
        raise ConfigError(exc.key, f"{exc.problem} (line {line} of {p})") from None


def key_line(text: str, key: str) -> int | None:
    """The line (from 1) that sets `section.name` in a TOML text; None if it is not set."""
    section, _, name = key.rpartition(".")
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            current = stripped.split("]", 1)[0].strip("[ ")
        elif current == section and re.match(rf"{re.escape(name)}\s*=", stripped):
            return number
    return None


def readable_pin(path: str | os.PathLike[str]) -> str:
    """The service PIN's stored hash from a file that does not load as a whole ("": none).

    A typo elsewhere must not lock the operator out of service mode, where the problem is
    shown in words; only a file that is not TOML at all, or a PIN that is not a valid
    hash, leaves service mode shut.
    """
    try:
        with Path(path).expanduser().open("rb") as fh:
            document = tomllib.loads(fh.read(MAX_FILE_BYTES).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    kiosk = document.get("kiosk")
    stored = kiosk.get("service_pin", "") if isinstance(kiosk, dict) else ""
    if not isinstance(stored, str) or not stored:
        return ""
    try:
        access.check_stored(stored)
    except access.PinError:
        return ""
    return stored


#: A value the kiosk writes into its config (bool is an int to the type checker).
Value = str | int | float


def write_value(path: Path, section: str, key: str, value: Value) -> None:
    """Set one key in the file, keeping the operator's comments and layout (write_values)."""
    write_values(path, {section: {key: value}})


def write_values(path: Path, sections: Mapping[str, Mapping[str, Value]]) -> None:
    """Set these keys in the file at once, keeping the operator's comments and layout.

    Written to a temporary file beside it and renamed over, so a power cut leaves either
    the old file or the new one, never half of one; keys that belong together go in one
    call (a token cleared without the removal remembered would register itself again).
    """
    import tomlkit

    doc = tomlkit.parse(path.read_text(encoding="utf-8-sig"))
    for section, values in sections.items():
        if section not in doc:
            doc[section] = tomlkit.table()
        for key, value in values.items():
            doc[section][key] = value
    atomic_write_text(path, tomlkit.dumps(doc))


def atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            # The operator's bits for the owner, none for anyone else: it holds secrets.
            os.chmod(tmp, path.stat().st_mode & 0o700)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
