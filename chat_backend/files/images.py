"""Images sent in chats, re-encoded: the size read from the header is checked before any pixel is
decoded, then the pixels are written anew with no metadata (no EXIF, GPS, XMP, ICC or comments), so
whatever else the sender's file carried is gone. A thumbnail comes with it. Pure CPU work."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal

from PIL import Image, ImageOps, ImageSequence

from chat_protocol.attachments import THUMBNAIL_EDGE

ImageFormat = Literal["PNG", "JPEG", "GIF", "WEBP"]

MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
MAX_FRAMES = 200
# All frames of an animation together (each is held decoded while the animation is written).
MAX_ANIMATION_PIXELS = 50_000_000
# A progressive JPEG has about ten scans; each further one costs a pass over the whole image, and an
# empty one takes a dozen bytes (a small file could keep a core busy for hours). Counted by their start
# marker, which entropy-coded data never holds (its 0xFF bytes are stuffed).
MAX_JPEG_SCANS = 100
_JPEG_SCAN = b"\xff\xda"
JPEG_QUALITY = 88
WEBP_QUALITY = 88
THUMBNAIL_JPEG_QUALITY = 80
# The only entries of a decoded image's `info` that are written back: what the pixels need.
_KEPT_INFO = ("transparency", "background")
# "Restore to background" in GIF's and in APNG's numbering (WebP frames are written whole).
_CLEARING_DISPOSAL: dict[ImageFormat, int] = {"GIF": 2, "PNG": 1}


class ImageRefused(Exception):
    """The image cannot be taken: `code` is "too_complex" or "damaged"."""

    def __init__(self, code: Literal["too_complex", "damaged"]) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Reencoded:
    data: bytes
    width: int
    height: int
    thumbnail: bytes
    thumbnail_type: str


def sniff(data: bytes) -> ImageFormat | None:
    """The image format the content starts with, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def reencode(data: bytes, fmt: ImageFormat) -> Reencoded:
    """The image written anew in its own format, with a thumbnail; `ImageRefused` when it is too large
    to decode safely or cannot be read."""
    if fmt == "JPEG" and data.count(_JPEG_SCAN) > MAX_JPEG_SCANS:
        raise ImageRefused("too_complex")
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise ImageRefused("damaged")
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ImageRefused("too_complex")
            alpha = image.has_transparency_data
            if fmt != "JPEG" and getattr(image, "is_animated", False):
                frames, params = _animation(image, fmt, alpha)
            else:
                image.load()
                frames, params = [_clean(ImageOps.exif_transpose(image), image)], {}
        stored = _save(frames, fmt, alpha, params)
        return Reencoded(stored, frames[0].width, frames[0].height, *_thumbnail(frames[0], alpha))
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("too_complex") from exc
    except Exception as exc:  # a hostile file can make a decoder raise almost anything
        raise ImageRefused("damaged") from exc


def _clean(frame: Image.Image, source: Image.Image) -> Image.Image:
    """`frame` with only the `info` its pixels need (a palette's transparent index, a background)."""
    frame.info = {key: source.info[key] for key in _KEPT_INFO if key in source.info}
    return frame


def _animation(image: Image.Image, fmt: ImageFormat, alpha: bool) -> tuple[list[Image.Image], dict[str, Any]]:
    """Every frame (decoded, as shown) and their timing; too many or too large ones are refused."""
    frames: list[Image.Image] = []
    durations: list[int] = []
    loop = image.info.get("loop")
    pixels = image.width * image.height
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= MAX_FRAMES or (index + 1) * pixels > MAX_ANIMATION_PIXELS:
            raise ImageRefused("too_complex")
        durations.append(int(frame.info.get("duration", 0) or 0))
        frames.append(_clean(frame.copy(), frame))
    params: dict[str, Any] = {"save_all": True, "append_images": frames[1:], "duration": durations}
    if isinstance(loop, int):
        params["loop"] = loop
    if alpha and fmt in _CLEARING_DISPOSAL:
        # Each frame is whole as shown: clear before the next, or transparent parts would show the last.
        params["disposal"] = _CLEARING_DISPOSAL[fmt]
    return frames, params


def _save(frames: list[Image.Image], fmt: ImageFormat, alpha: bool, params: dict[str, Any]) -> bytes:
    first = frames[0]
    if fmt == "JPEG":
        params = {"quality": JPEG_QUALITY}
        if first.mode not in ("L", "RGB", "CMYK"):
            first = first.convert("RGB")
    elif fmt == "WEBP":
        mode = "RGBA" if alpha else "RGB"
        if any(frame.mode != mode for frame in frames):
            frames = [frame.convert(mode) for frame in frames]
            first = frames[0]
            if "append_images" in params:
                params = {**params, "append_images": frames[1:]}
        params = {**params, "quality": WEBP_QUALITY}
    out = io.BytesIO()
    first.save(out, format=fmt, **params)
    return out.getvalue()


def _thumbnail(image: Image.Image, alpha: bool) -> tuple[bytes, str]:
    """A JPEG (a PNG when the image has transparency) that fits THUMBNAIL_EDGE on both sides."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        image = image.convert("L")  # high bit-depth grey: enough for a preview
    small = image.convert("RGBA" if alpha else "RGB")
    small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    out = io.BytesIO()
    if alpha:
        small.save(out, format="PNG")
        return out.getvalue(), "image/png"
    small.save(out, format="JPEG", quality=THUMBNAIL_JPEG_QUALITY)
    return out.getvalue(), "image/jpeg"
