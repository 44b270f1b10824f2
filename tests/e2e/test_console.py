"""Console output of the `kiosk` command under a foreign code page and a closed pipe.

`kiosk pay` with piped human output once crashed with UnicodeEncodeError in
cp1252 (cp1251 on Russian Windows) on the QR blocks and "₸", after the payment was
created at the bank. PYTHONIOENCODING=cp1252 gives a Linux Python the same stdout
as a Windows one writing into a pipe.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.processes import process_env

from kiosk.platform.console import QuietStream, utf8_console
from kiosk.platform.exits import EXIT_NOT_PAID, EXIT_OK
from kiosk.sandbox import Sandbox

QR_BLOCKS = set("█▀▄")


def kiosk_env(encoding: str) -> dict[str, str]:
    return process_env(PYTHONIOENCODING=encoding)


def register(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(path), "register", "--trade-point", "1"],
        capture_output=True,
        timeout=60,
        env=kiosk_env("utf-8"),
        check=False,
    )
    assert result.returncode == EXIT_OK, result.stderr


def pay_human(
    sandbox: Sandbox,
    customer: Callable[[int], None],
    *,
    encoding: str,
    close_stdout_after_id: bool = False,
) -> tuple[int, bytes, bytes]:
    """`kiosk pay 150` without --json, stdout a pipe; the customer acts once the id is shown."""
    path = sandbox.config_path("standard")
    register(path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(path), "pay", "150"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=kiosk_env(encoding),
    )
    assert proc.stdout is not None and proc.stderr is not None
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    out = b""
    payment_id = None
    for line in proc.stdout:
        out += line
        text = line.decode("utf-8", errors="replace")
        if text.startswith("Payment ") and payment_id is None:
            payment_id = int(text.split()[1].rstrip(":"))
            if close_stdout_after_id:
                proc.stdout.close()  # the reader went away (`| head`): every later write fails
            customer(payment_id)
            if close_stdout_after_id:
                break
    code = proc.wait(timeout=60)
    reader.join(timeout=10)
    assert payment_id is not None, (out, stderr)
    return code, out, b"".join(stderr)


@pytest.mark.parametrize("encoding", ["cp1252", "cp1251"])
def test_pay_with_piped_human_output_in_a_windows_code_page(
    fast_sandbox: Sandbox, encoding: str
) -> None:
    def customer(payment_id: int) -> None:
        fast_sandbox.scan(payment_id)
        fast_sandbox.confirm(payment_id)

    code, out, err = pay_human(fast_sandbox, customer, encoding=encoding)
    assert code == EXIT_OK, err.decode("utf-8", "replace")
    text = out.decode("utf-8")  # UTF-8 whatever the code page: strict decoding passes
    assert "150 ₸" in text
    assert QR_BLOCKS & set(text)
    assert "Processed" in text
    assert b"Traceback" not in err


def test_a_closed_pipe_after_the_payment_was_created_keeps_the_outcome(
    fast_sandbox: Sandbox,
) -> None:
    def customer(payment_id: int) -> None:
        fast_sandbox.scan(payment_id)
        fast_sandbox.confirm(payment_id)

    code, _out, err = pay_human(
        fast_sandbox, customer, encoding="utf-8", close_stdout_after_id=True
    )
    # The payment went through: the exit code says so though nobody read the output.
    assert code == EXIT_OK, err.decode("utf-8", "replace")
    assert b"Traceback" not in err and b"Exception ignored" not in err


def test_a_closed_pipe_still_reports_a_failed_payment(fast_sandbox: Sandbox) -> None:
    code, _out, err = pay_human(
        fast_sandbox, fast_sandbox.scan_error, encoding="cp1251", close_stdout_after_id=True
    )
    assert code == EXIT_NOT_PAID, err.decode("utf-8", "replace")
    assert b"Traceback" not in err


def test_version_and_help_in_a_code_page_without_the_characters() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"],
        capture_output=True,
        timeout=60,
        env=kiosk_env("ascii"),
        check=False,
    )
    assert result.returncode == 0 and b"Traceback" not in result.stderr


# --- the streams themselves ----------------------------------------------------------------


class Failing(io.StringIO):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


def test_quiet_stream_drops_output_after_the_first_failure() -> None:
    failing = Failing(BrokenPipeError(32, "Broken pipe"))
    stream = QuietStream(failing)  # type: ignore[arg-type]
    assert stream.write("Payment 1: 150 ₸\n") == len("Payment 1: 150 ₸\n")
    assert stream.broken
    stream.write("more")
    stream.flush()


def test_utf8_console_reencodes_a_cp1252_stream_and_is_idempotent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", None)  # a windowed executable has none
    utf8_console()
    utf8_console()
    assert isinstance(sys.stdout, QuietStream) and sys.stdout.stream is stdout
    assert sys.stderr is None
    print("150 ₸ █▀", end="")
    sys.stdout.flush()
    assert raw.getvalue().decode("utf-8") == "150 ₸ █▀"
