"""Every option's limits, walked: below, above and of the wrong type, each one clear line."""

import time
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import tomlkit

from kiosk import config as cfg
from kiosk.config import ConfigError
from kiosk.options import Declared, declared, option, parse_section

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

OPTIONS = [(section, spec) for section, cls in cfg.sections().items() for spec in declared(cls)]


def _number(spec: Declared, value: float | int | Decimal) -> float | int:
    """A bound as TOML would carry it for this option: money and seconds as floats."""
    return int(value) if spec.kind is int else float(value)


def below(spec: Declared) -> object | None:
    lim = spec.limits
    if lim.above is not None:
        return _number(spec, lim.above)  # the bound itself is refused: "more than"
    if lim.minval is not None:
        return _number(spec, lim.minval) - 1
    return None


def above(spec: Declared) -> object | None:
    lim = spec.limits
    if lim.valid:
        return "x" * 40 if spec.kind is str else 12345
    if lim.max_length is not None:
        return "y" * (lim.max_length + 1)
    if lim.maxval is not None:
        return _number(spec, lim.maxval) + 1
    return None


def wrong_type(spec: Declared) -> object:
    return {bool: "yes", str: 7}.get(spec.kind, "7")


def refused(tmp_path: Path, section: str, name: str, value: object) -> ConfigError:
    doc = tomllib.loads(MINIMAL)
    doc.setdefault(section, {})[name] = value
    path = tmp_path / "kiosk.toml"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        cfg.load(path)
    return info.value


def test_every_option_has_limits_of_its_kind() -> None:
    for section, spec in OPTIONS:
        lim, key = spec.limits, f"{section}.{spec.name}"
        assert lim.help, key
        if spec.kind is str:
            assert lim.max_length is not None, key
        elif spec.kind is not bool and not lim.valid:
            assert lim.maxval is not None, key
            assert lim.minval is not None or lim.above is not None, key


@pytest.mark.parametrize(("section", "spec"), OPTIONS, ids=lambda v: getattr(v, "name", v))
def test_each_option_refuses_below_above_and_wrong_type(
    tmp_path: Path, section: str, spec: Declared
) -> None:
    key = f"{section}.{spec.name}"
    tries = {"below": below(spec), "above": above(spec), "wrong type": wrong_type(spec)}
    for case, value in tries.items():
        if value is None:
            continue
        error = refused(tmp_path, section, spec.name, value)
        assert error.key == key, (case, str(error))
        message = str(error)
        assert message.startswith(f"{key}: must ") and "\n" not in message, (case, message)
        if cfg.is_secret_key(key):
            # The value never; where it stands ("(line 7 of ...)") is the operator's to see.
            said = message.split(" (line ", 1)[0]
            assert str(value) not in said, (case, message)
            assert message == said or message.endswith(f"of {tmp_path / 'kiosk.toml'})")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("kiosk.health_interval", 0),
        ("kiosk.health_interval", -5),
        ("sale.result_seconds", -1),
        ("sale.idle_seconds", 0),
        ("kiosk.recovery_seconds", -3),
    ],
)
def test_timers_that_cannot_work_are_refused_at_load(tmp_path: Path, key: str, value: int) -> None:
    section, name = key.split(".")
    assert refused(tmp_path, section, name, value).key == key


def test_a_huge_password_is_refused_without_showing_it(tmp_path: Path) -> None:
    password = "p4ss" * 1000
    error = refused(tmp_path, "kaspi", "key_password", password)
    assert error.key == "kaspi.key_password"
    assert "p4ss" not in str(error) and "4000" in str(error)


def test_a_huge_file_is_refused_fast_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    big = 'key_password = "' + "x" * 10_000_000 + '"\n'
    path.write_text(MINIMAL.replace('key_password = "s3cret-pass"\n', big), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ConfigError, match="larger than 256 KiB") as info:
        cfg.load(path)
    assert time.monotonic() - started < 0.5
    assert "xxxx" not in str(info.value)


def test_logging_level_keeps_taking_any_case(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(MINIMAL + '[logging]\nlevel = "debug"\n', encoding="utf-8")
    assert cfg.load(path).logging.level == "debug"


# --- the declaration API another part's section uses -----------------------------------------


@dataclass(frozen=True)
class RegisterSection:
    provider: str = option("none", "Which register", valid=("none", "webkassa"))
    timeout: float = option(15.0, "Seconds to wait", above=0, maxval=300)
    password: str = option("", "The cashier's password", max_length=64, secret=True)


def test_a_section_declared_elsewhere_parses_with_the_same_rules() -> None:
    parsed = parse_section("fiscal", RegisterSection, {"provider": "webkassa", "timeout": 5})
    assert parsed == RegisterSection(provider="webkassa", timeout=5.0)
    with pytest.raises(ConfigError, match=r"^fiscal.timeout: must be more than 0 and at most"):
        parse_section("fiscal", RegisterSection, {"timeout": 0})
    with pytest.raises(ConfigError) as info:
        parse_section("fiscal", RegisterSection, {"password": 12345678})
    assert info.value.key == "fiscal.password" and "12345678" not in str(info.value)
    with pytest.raises(ConfigError, match="unknown key"):
        parse_section("fiscal", RegisterSection, {"colour": "red"})


def test_an_option_without_limits_cannot_be_declared() -> None:
    with pytest.raises(TypeError, match="max_length"):
        option("", "Some text")
    with pytest.raises(TypeError, match="bound"):
        option(5.0, "Some seconds", minval=0)
