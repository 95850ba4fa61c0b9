"""Render the application icon from its SVG master into every size the installers need.

    .venv/bin/python scripts/build_icons.py

Reads `resources/icons/operator-app.svg` and writes (all committed):
- `resources/icons/hicolor/<N>x<N>/apps/operator-app.png` for the freedesktop icon theme (Linux),
- `resources/icons/operator-app.ico` (Windows: 16..256 in one file),
- `resources/icons/operator-app.icns` (macOS: 16..512 and the @2x variants).
Every size is rendered from the vector master by Qt's SVG renderer (not scaled down from a big
bitmap), so the small sizes stay sharp. Pillow (a dev dependency) writes the .ico and .icns.
Then run scripts/build_resources.py so the app's compiled resources pick up the new PNGs.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
MASTER = ICONS / "operator-app.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / "operator-app.png"


def render_png(size: int) -> bytes:
    """The master rendered at `size` x `size` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        raise SystemExit(f"{MASTER}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    images: dict[int, Image.Image] = {}
    for size in SIZES:
        data = render_png(size)
        path = png_path(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        images[size] = Image.open(io.BytesIO(data)).convert("RGBA")
        print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    largest = images[max(ICO_SIZES)]
    largest.save(
        ICONS / "operator-app.ico",
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=[images[size] for size in ICO_SIZES if size != max(ICO_SIZES)],
    )
    print(f"wrote resources/icons/operator-app.ico {ICO_SIZES}")
    # Pillow's ICNS writer picks each size (16..1024, with the @2x slots) from the appended images.
    images[512].save(
        ICONS / "operator-app.icns",
        format="ICNS",
        append_images=[images[size] for size in (16, 32, 64, 128, 256)],
    )
    print("wrote resources/icons/operator-app.icns")
    del app


if __name__ == "__main__":
    main()
