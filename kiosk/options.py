"""Declaring config options: each key once, with its type, default, limits and help.

A section is a frozen dataclass whose fields are `option(...)`s: the default gives
the type, and the limits sit beside it (qutebrowser's configdata with minval,
maxval and valid values; Electrum's ConfigVar). `parse_section` turns a TOML
table into the section, checking every value's type and limits; each problem is
one ConfigError naming the key and never quoting a secret's value.

Nothing here knows the kiosk's sections: kiosk.config lists them, and a part
with a section of its own declares it beside its code the same way:

    @dataclass(frozen=True)
    class FiscalSection:
        timeout: float = option(15.0, "Seconds to wait", above=0, maxval=300)
        password: str = option("", "The cashier's password", max_length=256, secret=True)

    section = parse_section("fiscal", FiscalSection, raw_table)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar, get_type_hints

# ConfigError is defined beside the bank client's settings, whose problems it names too.
from kiosk.kaspi.settings import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
Number = int | float | Decimal
#: The types an option may have; a TOML table cannot give anything else to a scalar key.
KINDS = (bool, int, float, Decimal, str)

#: Words that make a key a secret whatever its section: a new section's `token` is covered too.
#: Matched inside the name (`smtp_password`, `apitoken`), except `pin`, which must stand as a
#: word of its own (`service_pin`, "PIN"): inside other words it means "ping" or "mapping".
SECRET_WORDS = ("token", "password", "passwd", "secret", "api_key", "apikey", "private_key")
SECRET_SHORT_WORDS = ("pin", "pins")
#: How much of a wrong ordinary value an error quotes: enough to spot the typo.
SHOWN_CHARS = 60


@dataclass(frozen=True)
class Limits:
    """What one option may hold besides its type; declared once, checked at load."""

    help: str
    minval: Number | None = None  # at least this
    above: Number | None = None  # more than this (a timeout of 0 is no timeout)
    maxval: Number | None = None  # at most this
    valid: tuple[str | int, ...] = ()  # the only values allowed, when a list says it all
    any_case: bool = False  # valid text compared without case ("info" is INFO)
    max_length: int | None = None  # characters, for text: a pasted file is not a password
    secret: bool = False  # never shown: not in errors, logs or service mode
    path: bool = False  # resolved against the config file's folder


@dataclass(frozen=True)
class Declared:
    """One option of a section as declared: its name, type, default and limits."""

    name: str
    kind: type
    default: object
    limits: Limits


def option(
    default: T,
    help: str,
    *,
    minval: Number | None = None,
    above: Number | None = None,
    maxval: Number | None = None,
    valid: tuple[str | int, ...] = (),
    any_case: bool = False,
    max_length: int | None = None,
    secret: bool = False,
    path: bool = False,
) -> T:
    """A dataclass field for one option. A number needs its bounds and text its length,
    so no option can be declared without limits (the test walking them relies on it)."""
    if valid and max_length is None and isinstance(default, str):
        max_length = max(len(str(v)) for v in valid)
    number = isinstance(default, int | float | Decimal) and not isinstance(default, bool)
    if number and not valid and (maxval is None or (minval is None and above is None)):
        raise TypeError(f"a number option needs a lower and an upper bound: {help!r}")
    if isinstance(default, str) and max_length is None:
        raise TypeError(f"a text option needs max_length: {help!r}")
    limits = Limits(help, minval, above, maxval, valid, any_case, max_length, secret, path)
    return field(default=default, metadata={"option": limits})


def declared(cls: type) -> list[Declared]:
    """A section's options in file order."""
    hints = get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        limits = f.metadata.get("option")
        if not isinstance(limits, Limits):
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with option()")
        found.append(Declared(f.name, hints[f.name], f.default, limits))
    return found


def secret_name(name: str) -> bool:
    """Whether a key's name (or a label shown for one, "Key password") is a secret's."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    joined = "_".join(words)
    return any(word in joined for word in SECRET_WORDS) or any(
        word in words for word in SECRET_SHORT_WORDS
    )


S = TypeVar("S", bound="DataclassInstance")


def parse_section(section: str, cls: type[S], raw: Mapping[str, object]) -> S:
    """The section from its TOML table: unknown keys, wrong types and values out of their
    limits are a ConfigError naming `section.key`; missing keys keep their defaults."""
    options = {d.name: d for d in declared(cls)}
    for key in raw:
        if key not in options:
            raise ConfigError(f"{section}.{key}", "unknown key (see config/kiosk.example.toml)")
    values = {
        key: check_value(f"{section}.{key}", options[key], value) for key, value in raw.items()
    }
    return dataclasses.replace(cls(), **values)


def check_value(key: str, spec: Declared, raw: object) -> object:
    """The value as the option's type within its limits, or ConfigError."""
    limits = spec.limits
    secret = limits.secret or secret_name(key.rpartition(".")[2])
    # What the error says the value was: the operator's typo helps, a secret's value must not.
    was = " (the value is not shown: it is a secret)" if secret else f", not {_shown(raw)}"
    value = _typed(key, spec.kind, raw, was)
    if limits.valid:
        _check_valid(key, limits, value, was)
    elif isinstance(value, str):
        if limits.max_length is not None and len(value) > limits.max_length:
            raise ConfigError(
                key, f"must be at most {limits.max_length} characters (it has {len(value)})"
            )
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        _check_range(key, limits, value, was)
    return value


def _typed(key: str, kind: type, raw: object, was: str) -> object:
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
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ConfigError(key, f"must be a finite number{was}")
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


def _check_valid(key: str, limits: Limits, value: object, was: str) -> None:
    def same(v: str | int) -> bool:
        if limits.any_case and isinstance(value, str) and isinstance(v, str):
            return value.upper() == v.upper()
        return value == v

    if not any(same(v) for v in limits.valid):
        names = [str(v) for v in limits.valid]
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
        raise ConfigError(key, f"must be {listed}{was}")


def _check_range(key: str, limits: Limits, value: Number, was: str) -> None:
    low, high = limits.minval, limits.maxval
    too_low = (low is not None and value < low) or (
        limits.above is not None and value <= limits.above
    )
    if too_low or (high is not None and value > high):
        raise ConfigError(key, f"must be {describe_range(limits)}{was}")


def describe_range(limits: Limits) -> str:
    """The bounds in words: "between 1 and 3600", "more than 0 and at most 300"."""
    high = f" {_number(limits.maxval)}" if limits.maxval is not None else ""
    if limits.above is not None:
        return f"more than {_number(limits.above)}" + (f" and at most{high}" if high else "")
    if limits.minval is not None and high:
        return f"between {_number(limits.minval)} and{high}"
    if limits.minval is not None:
        return f"at least {_number(limits.minval)}"
    return f"at most{high}"


def _number(value: Number | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _shown(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."
