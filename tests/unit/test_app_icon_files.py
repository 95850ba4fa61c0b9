"""The application icon exists in every size the installers need (scripts/build_icons.py)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


def test_hicolor_pngs_have_their_sizes() -> None:
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        with Image.open(ICONS / "hicolor" / f"{size}x{size}" / "apps" / "operator-app.png") as image:
            assert image.size == (size, size)
            assert image.mode == "RGBA"


def test_windows_ico_holds_16_to_256() -> None:
    with Image.open(ICONS / "operator-app.ico") as image:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(image.info["sizes"])


def test_macos_icns_holds_512() -> None:
    with Image.open(ICONS / "operator-app.icns") as image:
        assert (512, 512, 2) in image.info["sizes"]
        assert (128, 128, 1) in image.info["sizes"]


def test_svg_master_is_plain_svg() -> None:
    text = (ICONS / "operator-app.svg").read_text(encoding="utf-8")
    assert "<svg" in text
    assert "<script" not in text
    assert "<image" not in text
