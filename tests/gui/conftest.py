"""GUI tests run without a display: Qt's offscreen platform, set before Qt loads."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
