"""`[fiscal]`: parsed beside the register's code, checked with a line that names the key only."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.config import ConfigError
from kiosk.fiscal import settings as fs
from kiosk.platform.logs import SecretMask

EXAMPLE = Path(__file__).parents[2] / "config" / "kiosk.example.toml"
KASPI = """
[kaspi]
scheme = "basic"
api_key = "test_0123456789abcdef"
"""
SECRET_PASSWORD = "Pa55-word-nobody-sees"
SECRET_KEY = "WKD-0f6a3c1e-9f1b-4c59-8d8e-5b6f1b0c7a11"
GOOD = f"""
[fiscal]
provider = "webkassa"
base_url = "https://devkkm.webkassa.kz"
api_key = "{SECRET_KEY}"
login = "kiosk@example.kz"
password = "{SECRET_PASSWORD}"
cashbox = "SWK00033717"
"""


def load(tmp_path: Path, text: str) -> cfg.Config:
    path = tmp_path / "kiosk.toml"
    path.write_text(KASPI + text, encoding="utf-8")
    return cfg.load(path)


def test_example_documents_every_fiscal_key() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(data["fiscal"]) == set(fs.KEYS)
    assert cfg.load(EXAMPLE).fiscal == fs.FiscalSettings()


def test_default_is_none_and_changes_nothing(tmp_path: Path) -> None:
    c = load(tmp_path, "")
    assert c.fiscal.provider == "none" and not c.fiscal.enabled
    # Incomplete settings under "none" are not checked: the register is not used.
    assert not load(tmp_path, '[fiscal]\nbase_url = "http://example.kz"\n').fiscal.enabled


def test_webkassa_settings_and_their_defaults(tmp_path: Path) -> None:
    f = load(tmp_path, GOOD).fiscal
    assert f.enabled and f.cashbox == "SWK00033717"
    assert f.payment_type == fs.MOBILE_PAYMENT == 4
    assert f.vat_percent == 0 and f.timeout == 15.0 and f.zreport_time == ""
    assert SECRET_PASSWORD not in repr(f) and SECRET_KEY not in repr(f)


def test_relative_ca_file_resolves_against_the_config(tmp_path: Path) -> None:
    (tmp_path / "wk.pem").write_text("x", encoding="utf-8")
    f = load(tmp_path, GOOD + 'ca_file = "wk.pem"\n').fiscal
    assert f.ca_file == tmp_path / "wk.pem"


def test_http_is_for_loopback_only(tmp_path: Path) -> None:
    for url in ("http://127.0.0.1:8590", "http://localhost:8590", "http://[::1]:8590"):
        text = GOOD.replace("https://devkkm.webkassa.kz", url)
        assert load(tmp_path, text).fiscal.base_url == url


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (('provider = "webkassa"', 'provider = "atol"'), "fiscal.provider"),
        (("https://devkkm.webkassa.kz", "http://devkkm.webkassa.kz"), "fiscal.base_url"),
        (("https://devkkm.webkassa.kz", "https://devkkm.webkassa.kz/api/v4"), "fiscal.base_url"),
        (("https://devkkm.webkassa.kz", "ftp://devkkm.webkassa.kz"), "fiscal.base_url"),
        (("https://devkkm.webkassa.kz", "https://u:p@devkkm.webkassa.kz"), "fiscal.base_url"),
        (("https://devkkm.webkassa.kz", "https://devkkm.webkassa.kz:99999"), "fiscal.base_url"),
        ((f'password = "{SECRET_PASSWORD}"', 'password = ""'), "fiscal.password"),
        ((f'password = "{SECRET_PASSWORD}"', "password = 12345678"), "fiscal.password"),
        ((f'api_key = "{SECRET_KEY}"', "api_key = true"), "fiscal.api_key"),
        ((f'api_key = "{SECRET_KEY}"', 'api_key = " "'), "fiscal.api_key"),
        (('login = "kiosk@example.kz"', 'login = ""'), "fiscal.login"),
        (('cashbox = "SWK00033717"', 'cashbox = ""'), "fiscal.cashbox"),
        (('cashbox = "SWK00033717"', "cashbox = 33717"), "fiscal.cashbox"),
        (("[fiscal]", "[fiscal]\npayment_type = 2"), "fiscal.payment_type"),
        (("[fiscal]", '[fiscal]\npayment_type = "4"'), "fiscal.payment_type"),
        (("[fiscal]", "[fiscal]\nvat_percent = 100"), "fiscal.vat_percent"),
        (("[fiscal]", "[fiscal]\nvat_percent = 12.5"), "fiscal.vat_percent"),
        (("[fiscal]", '[fiscal]\nposition_name = " "'), "fiscal.position_name"),
        (("[fiscal]", "[fiscal]\ntimeout = 0"), "fiscal.timeout"),
        (("[fiscal]", "[fiscal]\ntimeout = true"), "fiscal.timeout"),
        (("[fiscal]", '[fiscal]\nzreport_time = "25:00"'), "fiscal.zreport_time"),
        (("[fiscal]", '[fiscal]\nca_file = "missing.pem"'), "fiscal.ca_file"),
        (("[fiscal]", "[fiscal]\nshade = 1"), "fiscal.shade"),
    ],
)
def test_bad_values_name_the_key_only(tmp_path: Path, edit: tuple[str, str], key: str) -> None:
    text = GOOD.replace(*edit)
    assert text != GOOD
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert info.value.key == key
    message = str(info.value)
    assert message.startswith(key)
    # The key only: no value of the file is quoted, secret or not.
    quoted = (SECRET_PASSWORD, SECRET_KEY, "webkassa.kz", "atol", "25:00", "12345678", "colour")
    for value in quoted:
        assert value not in message


def test_fiscal_table_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('fiscal = "webkassa"\n' + KASPI, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        cfg.load(path)
    assert info.value.key == "[fiscal]"


def test_secrets_are_masked_like_the_others(tmp_path: Path) -> None:
    c = load(tmp_path, GOOD)
    assert SECRET_PASSWORD in cfg.secret_values(c) and SECRET_KEY in cfg.secret_values(c)
    assert cfg.is_secret_key("fiscal.password") and cfg.is_secret_key("fiscal.api_key")
    assert not cfg.is_secret_key("fiscal.cashbox")
    mask = SecretMask(cfg.secret_values(c))
    line = f"login failed for {SECRET_PASSWORD}; headers x-api-key: {SECRET_KEY}"
    assert SECRET_PASSWORD not in mask.mask(line) and SECRET_KEY not in mask.mask(line)


def test_provider_none_imports_no_fiscal_client_or_sender(tmp_path: Path) -> None:
    """The kiosk's whole start-up path with provider "none": only fiscal.settings is loaded."""
    path = tmp_path / "kiosk.toml"
    path.write_text(KASPI, encoding="utf-8")
    code = f"""
import sys
from kiosk import config
from kiosk.journal import Journal
import kiosk.app.run, kiosk.gui.shell.kiosk, kiosk.gui.shell.startup, kiosk.hostapi.app, kiosk.cli
c = config.load({str(path)!r})
from kiosk.fiscal.service import start_for
assert start_for(c.fiscal, None) is None
loaded = sorted(m for m in sys.modules if m.startswith("kiosk.fiscal"))
print(loaded)
assert loaded == ["kiosk.fiscal", "kiosk.fiscal.service", "kiosk.fiscal.settings"], loaded
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
