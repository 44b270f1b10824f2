"""Writes kiosk/hostapi/openapi.json from docs/hostapi/openapi.yaml (run after editing the yaml).

The yaml is the document people read and edit; the kiosk serves the JSON copy, which
needs only the standard library to load (pyyaml is a build and test tool, not a
dependency of the kiosk, and the frozen Windows build carries the JSON as package
data). tests/unit/test_hostapi_openapi.py fails while the two differ.

    python docs/hostapi/to_json.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "docs" / "hostapi" / "openapi.yaml"
TARGET = ROOT / "kiosk" / "hostapi" / "openapi.json"


def render() -> str:
    """The yaml as the JSON text the kiosk ships."""
    document = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
