"""The kiosk's configuration: every key declared once, validated at load.

Each section is a frozen dataclass; each field carries its type, its default
and a one-line description (qutebrowser's configdata, Electrum's ConfigVar).
A bad file fails at load with one ConfigError naming the key. Relative paths
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
import types
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

# ConfigError is defined beside the bank client's settings, whose problems it names too.
from kiosk.kaspi.settings import SCHEMES, ConfigError, KaspiSettings, scheme_url_mismatch
from kiosk.kaspi.validate import DEVICE_ID_PROBLEM, valid_bin, valid_device_id
from kiosk.operator import access

log = logging.getLogger("kiosk.config")


def _opt(default: Any, help: str, *, secret: bool = False, path: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret, "path": path})


@dataclass(frozen=True)
class KaspiSection:
    scheme: str = _opt(
        "standard", "basic (API key) | standard (certificate) | enhanced (certificate + BIN)"
    )
    base_url: str = _opt(
        "https://mtokentest.kaspi.kz:8544/r2/v01", "The scheme's base URL, up to the version"
    )
    status_api_version: str = _opt(
        "", "Version for payment/status only, e.g. v02; empty: as base_url"
    )
    api_key: str = _opt("", "Scheme basic: the Api-Key (test_... or prod_...)", secret=True)
    cert_file: str = _opt("", "Client certificate: .pfx/.p12, or a PEM certificate", path=True)
    key_file: str = _opt("", "PEM private key when cert_file is PEM", path=True)
    key_password: str = _opt("", "Password of the PFX or of the PEM key", secret=True)
    ca_file: str = _opt(
        "", "PEM bundle of the bank's root + intermediate CA; empty: system trust", path=True
    )
    organization_bin: str = _opt("", "Scheme enhanced: the organisation's 12-digit BIN/IIN")
    device_token: str = _opt("", "Written by `kiosk register`")
    proxy: str = _opt("", "Outbound HTTPS proxy URL, e.g. http://10.0.0.5:3128")
    connect_timeout: float = _opt(5.0, "Seconds to connect to the bank")
    read_timeout: float = _opt(15.0, "Seconds to wait for an answer")
    retries: int = _opt(2, "Extra tries for status reads and pings (never for create or refund)")


@dataclass(frozen=True)
class DeviceSection:
    device_id: str = _opt(
        "KIOSK-001", "This kiosk's id at the bank: Latin letters, digits, - and _"
    )
    trade_point_id: int = _opt(0, "Trade point the device is registered at")
    registration_removed: bool = _opt(
        False,
        "Written by unregistering: the kiosk then stays out of service instead of registering"
        " itself again, until the operator registers it",
    )


@dataclass(frozen=True)
class SaleSection:
    # A Decimal default is immutable, so sharing it between instances is safe.
    min_amount: Decimal = _opt(Decimal("1"), "Smallest amount a customer may pay, tenge")  # noqa: RUF009
    max_amount: Decimal = _opt(Decimal("500000"), "Largest amount, tenge")  # noqa: RUF009
    result_seconds: float = _opt(6.0, "Seconds the success/error screen stays before the start")
    idle_seconds: float = _opt(60.0, "Seconds without a touch before the amount screen resets")
    check_paid_amount: bool = _opt(True, "Compare payment/details TotalAmount with the sale amount")


@dataclass(frozen=True)
class KioskSection:
    fullscreen: bool = _opt(True, "Full screen without a frame; false for a window (development)")
    hide_cursor: bool = _opt(False, "Hide the mouse cursor (touch screens)")
    service_pin: str = _opt(
        "",
        "Salted hash of the PIN that opens service mode (`kiosk set-pin`); empty: closed",
        secret=True,
    )
    health_interval: float = _opt(30.0, "Seconds between health pings while idle")
    recovery_seconds: float = _opt(
        5.0, "Seconds start-up recovery may ask the bank before the kiosk opens for sales"
    )
    service_idle_seconds: float = _opt(
        120.0, "Seconds without a touch before service mode returns to the amount screen"
    )


@dataclass(frozen=True)
class HostApiSection:
    enabled: bool = _opt(False, "Serve the local API for a vending-machine controller")
    port: int = _opt(8765, "TCP port on 127.0.0.1")
    token: str = _opt("", "Bearer token the controller must send", secret=True)


@dataclass(frozen=True)
class MetricsSection:
    enabled: bool = _opt(False, "Serve Prometheus metrics (GET /metrics) for fleet monitoring")
    bind: str = _opt(
        "127.0.0.1", "Address to listen on: 127.0.0.1, or the kiosk's LAN address for the fleet"
    )
    port: int = _opt(9108, "TCP port of the metrics, never the host API's")
    token: str = _opt("", "Bearer token Prometheus must send; empty: none", secret=True)


@dataclass(frozen=True)
class MdbSection:
    enabled: bool = _opt(False, "Be the cashless device of an MDB vending machine (Qibixx adapter)")
    port: str = _opt("", "The adapter's serial port, e.g. COM5 or /dev/ttyACM0")
    baudrate: int = _opt(115200, "Serial speed (the USB adapter ignores it; the Pi HAT's UART not)")
    vend_timeout: float = _opt(
        60.0, "Seconds the machine waits for an answer; the kiosk denies by then (set it lower)"
    )
    dispense_timeout: float = _opt(
        30.0, "Seconds after the approval for the machine to report the dispense"
    )
    price_scale: float = _opt(1.0, "Tenge per unit of the machine's price (100 if it counts tiyn)")


@dataclass(frozen=True)
class StorageSection:
    data_dir: str = _opt(
        "",
        "Journal and logs; empty: %ProgramData%\\KaspiKiosk or ~/.local/share/kaspi-kiosk",
        path=True,
    )
    retention_days: int = _opt(0, "Archive final sales older than this many days; 0: never")


@dataclass(frozen=True)
class LoggingSection:
    level: str = _opt("INFO", "DEBUG | INFO | WARNING | ERROR")


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
    return {f.name: hints[f.name] for f in dataclasses.fields(Config) if f.name != "path"}


def secret_values(config: Config) -> list[str]:
    """Every secret's current value, for the log filter that masks them."""
    found = []
    for name in sections():
        section = getattr(config, name)
        for f in dataclasses.fields(section):
            value = getattr(section, f.name)
            if f.metadata.get("secret") and isinstance(value, str) and value:
                found.append(value)
    return found


#: Words that make a key a secret whatever its section: a new section's `token` is covered too.
#: Matched inside the name (`smtp_password`, `apitoken`), except `pin`, which must stand as a
#: word of its own (`service_pin`, "PIN"): inside other words it means "ping" or "mapping".
SECRET_WORDS = ("token", "password", "passwd", "secret", "api_key", "apikey", "private_key")
SECRET_SHORT_WORDS = ("pin", "pins")


def is_secret_key(key: str) -> bool:
    """Whether a config key (`section.key`) or a label shown for one ("Key password") holds
    a secret: declared secret, or named like one. The one rule for errors and service mode."""
    section, _, name = key.rpartition(".")
    cls = sections().get(section)
    if cls is not None:
        declared = {f.name: f for f in dataclasses.fields(cls)}
        if name in declared and declared[name].metadata.get("secret"):
            return True
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    joined = "_".join(words)
    return any(word in joined for word in SECRET_WORDS) or any(
        word in words for word in SECRET_SHORT_WORDS
    )


def _check(key: str, kind: Any, raw: Any) -> Any:
    """The value as `kind`, or ConfigError; a secret's value is never quoted in the error."""
    # What the error says the value was: the operator's typo helps, a secret's value must not.
    was = " (the value is not shown: it is a secret)" if is_secret_key(key) else f", not {raw!r}"
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        kind = next(a for a in get_args(kind) if a is not type(None))
    if kind is bool:
        if not isinstance(raw, bool):
            raise ConfigError(key, f"must be true or false{was}")
        return raw
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(key, f"must be a whole number{was}")
        return raw
    if kind is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConfigError(key, f"must be a number{was}")
        return float(raw)
    if kind is Decimal:
        # Money: parsed once, exactly as written (str(0.1) is "0.1"), never kept as a float.
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConfigError(key, f"must be a number{was}")
        value = Decimal(str(raw))
        if not value.is_finite():
            raise ConfigError(key, f"must be a finite number{was}")
        return value
    if kind is str:
        if not isinstance(raw, str):
            raise ConfigError(key, f"must be text in quotes{was}")
        return raw
    raise AssertionError(f"undeclared config type {kind!r}")  # a programming error


def from_mapping(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a parsed TOML document into a Config."""
    known = sections()
    built: dict[str, Any] = {}
    for name, raw_section in data.items():
        if name not in known:
            raise ConfigError(f"[{name}]", f"unknown section (known: {', '.join(known)})")
        if not isinstance(raw_section, dict):
            raise ConfigError(f"[{name}]", "must be a table")
    for name, cls in known.items():
        raw_section = data.get(name, {})
        hints = get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        for key in raw_section:
            if key not in names:
                raise ConfigError(f"{name}.{key}", "unknown key (see config/kiosk.example.toml)")
        values = {k: _check(f"{name}.{k}", hints[k], v) for k, v in raw_section.items()}
        built[name] = cls(**values)
    config = Config(**built, path=path)
    validate(config)
    mismatch = scheme_url_mismatch(config.kaspi.scheme, config.kaspi.base_url)
    if mismatch:
        log.warning("%s", mismatch)
    return config


def validate(config: Config) -> None:
    """Checks between keys and of values; certificate files are checked by kiosk.kaspi.tls."""
    k = config.kaspi
    if k.scheme not in SCHEMES:
        raise ConfigError("kaspi.scheme", f"must be one of {', '.join(SCHEMES)}, not {k.scheme!r}")
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
    for key in ("connect_timeout", "read_timeout"):
        if getattr(k, key) <= 0:
            raise ConfigError(f"kaspi.{key}", "must be more than 0 seconds")
    if not 0 <= k.retries <= 10:
        raise ConfigError("kaspi.retries", "must be between 0 and 10")
    if not valid_device_id(config.device.device_id):
        raise ConfigError("device.device_id", DEVICE_ID_PROBLEM)
    if config.device.trade_point_id < 0:
        raise ConfigError("device.trade_point_id", "must not be negative")
    s = config.sale
    if s.min_amount <= 0:
        raise ConfigError("sale.min_amount", "must be more than 0")
    if s.max_amount < s.min_amount:
        raise ConfigError("sale.max_amount", "must not be below sale.min_amount")
    if config.kiosk.service_pin:
        try:
            access.check_stored(config.kiosk.service_pin)
        except access.PinError as exc:
            raise ConfigError("kiosk.service_pin", str(exc)) from None
    if config.kiosk.service_idle_seconds < 10:
        raise ConfigError("kiosk.service_idle_seconds", "must be at least 10 seconds")
    h = config.host_api
    if not 0 < h.port < 65536:
        raise ConfigError("host_api.port", "must be a TCP port (1-65535)")
    if h.enabled and len(h.token) < 16:
        raise ConfigError(
            "host_api.token", "must be at least 16 characters when the host API is enabled"
        )
    _validate_metrics(config)
    m = config.mdb
    if m.enabled and not m.port.strip():
        raise ConfigError("mdb.port", "is required when mdb is enabled (e.g. COM5, /dev/ttyACM0)")
    if m.baudrate not in (9600, 19200, 38400, 57600, 115200):
        raise ConfigError("mdb.baudrate", "must be 9600, 19200, 38400, 57600 or 115200")
    for key in ("vend_timeout", "dispense_timeout", "price_scale"):
        if not getattr(m, key) > 0:
            raise ConfigError(f"mdb.{key}", "must be more than 0")
    if config.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("logging.level", "must be DEBUG, INFO, WARNING or ERROR")
    if config.storage.retention_days < 0:
        raise ConfigError("storage.retention_days", "must not be negative")


def _validate_metrics(config: Config) -> None:
    m = config.metrics
    try:
        ipaddress.ip_address(m.bind)
    except ValueError:
        raise ConfigError(
            "metrics.bind", f"must be an IP address such as 127.0.0.1 or 0.0.0.0, not {m.bind!r}"
        ) from None
    if not 0 < m.port < 65536:
        raise ConfigError("metrics.port", "must be a TCP port (1-65535)")
    if m.enabled and config.host_api.enabled and m.port == config.host_api.port:
        raise ConfigError("metrics.port", "must differ from host_api.port")
    if m.token and len(m.token) < 16:
        raise ConfigError("metrics.token", "must be at least 16 characters, or empty for none")


def load(path: str | os.PathLike[str]) -> Config:
    """Read and validate a config file; every problem is one ConfigError line."""
    p = Path(path).expanduser().resolve()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("", f"config file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"cannot read config file {p}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{p} is not valid TOML: {exc}") from None
    return from_mapping(data, path=p)


def write_value(path: Path, section: str, key: str, value: str | int) -> None:
    """Set one key in the file, keeping the operator's comments and layout.

    Written to a temporary file beside it and renamed over, so a power cut
    leaves either the old file or the new one, never half of one.
    """
    import tomlkit

    doc = tomlkit.parse(path.read_text(encoding="utf-8-sig"))
    if section not in doc:
        doc[section] = tomlkit.table()
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
