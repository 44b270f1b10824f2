"""Local checks of identifiers, exactly as the guide states them."""

from __future__ import annotations

import pytest

from kiosk.kaspi.validate import valid_device_id


@pytest.mark.parametrize("device_id", ["GFC-456397", "KIOSK_1", "a" * 65, "x" * 300])
def test_device_ids_the_guide_allows(device_id: str) -> None:
    """Latin letters, digits, '-' and '_': the guide sets no length limit."""
    assert valid_device_id(device_id)


@pytest.mark.parametrize("device_id", ["", "KIOSK-1\n", "KIOSK 1", "КИОСК", "a.b", "\nKIOSK"])
def test_device_ids_the_guide_refuses(device_id: str) -> None:
    assert not valid_device_id(device_id)
