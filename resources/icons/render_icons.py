#!/usr/bin/env python3
"""Render the PNG sizes of the app icon from its SVG (run by `make icons`).

QtSvg ships in PySide6-Essentials, so no other SVG tool is needed. The PNGs are committed: the
.desktop file, the bundle and AppStream want bitmaps, and building them must not need Qt.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The platform is chosen above, before Qt is imported.
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
NAME = "org.hunkwise.Hunkwise"
SIZES = (48, 128, 256)


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"could not write {out}")


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841  (QPainter on images needs one)
    svg = HERE / f"{NAME}.svg"
    for size in SIZES:
        out = HERE / f"{NAME}-{size}.png"
        render(svg, size, out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
