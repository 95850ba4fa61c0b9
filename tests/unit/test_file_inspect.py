"""What a sent file is, from its content alone: images re-encoded without metadata, PDFs, office
documents and text taken; anything else, a name that says otherwise, and bombs refused."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Collection

import pytest
from PIL import Image, ImageCms, ImageSequence
from PIL.PngImagePlugin import PngInfo

from chat_backend.files import images
from chat_backend.files.inspect import FileRefused, Inspected, inspect_file
from chat_protocol.attachments import ALL_CATEGORIES, THUMBNAIL_EDGE

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JAPANESE = "こんにちは、世界。日本語のテキストです。\r\n価格,数量\r\n"


def inspect(
    data: bytes, name: str, allowed: Collection[str] = ALL_CATEGORIES, max_bytes: int = 10 * MB
) -> Inspected:
    return inspect_file(data, name, allowed, max_bytes)


def refused(
    data: bytes, name: str, allowed: Collection[str] = ALL_CATEGORIES, max_bytes: int = 10 * MB
) -> str:
    with pytest.raises(FileRefused) as caught:
        inspect_file(data, name, allowed, max_bytes)
    assert caught.value.message.endswith(".")
    return caught.value.code


def image_bytes(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header promises `width` x `height` 1-bit pixels, with a tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document>Hello</w:document>")
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return out.getvalue()


def odf(mimetype: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


# --- size ---------------------------------------------------------------------------------------------


def test_empty() -> None:
    assert refused(b"", "a.txt") == "empty"


def test_exactly_the_limit_is_taken_and_one_more_byte_is_not() -> None:
    assert inspect(PDF, "a.pdf", max_bytes=len(PDF)).data == PDF
    with pytest.raises(FileRefused) as caught:
        inspect_file(PDF, "a.pdf", ALL_CATEGORIES, len(PDF) - 1)
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("limit", "shown"), [(10 * MB, "10 MB"), (MB + MB // 2, "1.5 MB"), (2048, "2 KB"), (1000, "1000 B")]
)
def test_too_large_names_the_limit(limit: int, shown: str) -> None:
    with pytest.raises(FileRefused) as caught:
        inspect_file(b"x" * (limit + 1), "a.txt", ALL_CATEGORIES, limit)
    assert caught.value.code == "too_large"
    assert caught.value.message == f"This file is larger than {shown}."


# --- images -------------------------------------------------------------------------------------------


def test_png_is_reencoded_with_a_thumbnail() -> None:
    info = PngInfo()
    info.add_text("Comment", "secret-comment")
    data = image_bytes(Image.new("RGB", (1000, 500), (200, 10, 10)), "PNG", pnginfo=info)
    result = inspect(data, "picture.png")
    assert (result.name, result.content_type, result.category) == ("picture.png", "image/png", "images")
    assert (result.width, result.height) == (1000, 500)
    assert b"secret-comment" not in result.data
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == "PNG"
        assert stored.getpixel((5, 5)) == (200, 10, 10)
    assert result.thumbnail is not None
    assert result.thumbnail_type == "image/jpeg"
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (THUMBNAIL_EDGE, THUMBNAIL_EDGE // 2)


def test_transparent_image_gets_a_png_thumbnail() -> None:
    data = image_bytes(Image.new("RGBA", (40, 30), (0, 0, 255, 100)), "PNG")
    result = inspect(data, "a.png")
    assert result.thumbnail_type == "image/png"
    assert result.thumbnail is not None
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert thumb.mode == "RGBA"
        assert thumb.size == (40, 30)


def test_pasted_screenshot_without_extension_gets_one() -> None:
    data = image_bytes(Image.new("RGB", (8, 8)), "PNG")
    assert inspect(data, "image").name == "image.png"
    assert inspect(data, "").name == "file.png"


def test_jpeg_exif_gps_is_dropped_and_orientation_applied() -> None:
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (20, 0, 40, 20))  # left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90 degrees clockwise
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (35.0, 39.0, 0.0), 3: "E", 4: (139.0, 44.0, 0.0)}
    data = image_bytes(image, "JPEG", exif=exif, quality=95)
    with Image.open(io.BytesIO(data)) as original:  # the fixture does carry a GPS position
        assert original.getexif().get_ifd(0x8825)
    result = inspect(data, "holiday.jpeg")
    assert result.name == "holiday.jpeg"
    assert result.content_type == "image/jpeg"
    assert (result.width, result.height) == (20, 40)
    assert b"Exif" not in result.data
    assert b"CameraMaker" not in result.data
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert stored.size == (20, 40)
        top = stored.convert("RGB").getpixel((10, 5))
        assert isinstance(top, tuple)
        assert top[0] > 200 > top[2]  # red (the left) is now on top


def test_polyglot_png_loses_its_payload() -> None:
    payload = b"<script>alert(1)</script>"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evil.js", "alert(2)")
    data = image_bytes(Image.new("RGB", (16, 16), (1, 2, 3)), "PNG") + payload + archive.getvalue()
    result = inspect(data, "cat.png")
    assert result.content_type == "image/png"
    assert payload not in result.data
    assert b"PK" not in result.data
    assert b"evil.js" not in result.data


def test_gif_comment_dropped_and_animation_kept() -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    data = image_bytes(
        frames[0],
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[100, 200, 300],
        loop=0,
        comment=b"hidden-note",
    )
    result = inspect(data, "anim.gif")
    assert result.content_type == "image/gif"
    assert b"hidden-note" not in result.data
    with Image.open(io.BytesIO(result.data)) as stored:
        assert getattr(stored, "n_frames", 1) == 3
        shown = [
            (frame.info["duration"], frame.convert("RGB").getpixel((5, 5)))
            for frame in ImageSequence.Iterator(stored)
        ]
    assert shown == [(100, (255, 0, 0)), (200, (0, 255, 0)), (300, (0, 0, 255))]


def test_gif_with_too_many_frames_is_too_complex() -> None:
    frames = [Image.new("L", (2, 2), 255 * (index % 2)) for index in range(201)]
    data = image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert refused(data, "many.gif") == "too_complex"


def _last_scan(jpeg: bytes) -> bytes:
    """A JPEG's last scan: its SOS segment and entropy-coded data, up to the end marker."""
    start = jpeg.rindex(b"\xff\xda")
    return jpeg[start : len(jpeg) - 2]


def test_progressive_jpeg_is_taken_and_one_with_a_thousand_scans_is_too_complex() -> None:
    normal = image_bytes(Image.new("RGB", (256, 256), (120, 40, 200)), "JPEG", progressive=True)
    assert inspect(normal, "photo.jpg").width == 256
    # Empty refinement scans: a few bytes each, a pass over every pixel each to decode.
    bomb = normal[:-2] + _last_scan(normal) * 1000 + normal[-2:]
    assert len(bomb) < 64 * 1024
    assert refused(bomb, "photo.jpg") == "too_complex"


def test_webp() -> None:
    data = image_bytes(Image.new("RGB", (30, 20), (0, 128, 0)), "WEBP")
    result = inspect(data, "x.webp")
    assert (result.content_type, result.width, result.height) == ("image/webp", 30, 20)
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == "WEBP"


@pytest.mark.parametrize(
    ("width", "height"), [(50_000, 50_000), (10_000, 10_000), (8_000, 6_000), (12_001, 10)]
)
def test_decompression_bomb_is_refused_before_decoding(width: int, height: int) -> None:
    assert refused(png_header_only(width, height), "bomb.png") == "too_complex"


def test_largest_allowed_side_with_few_pixels_is_decoded() -> None:
    data = image_bytes(Image.new("1", (12_000, 2)), "PNG")
    assert inspect(data, "strip.png").width == 12_000


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.png", "JPEG"), ("a.pdf", "PNG"), ("a.jpg", "PNG"), ("a.gif", "WEBP"), ("a.txt", "PNG")],
)
def test_image_under_another_name_is_a_mismatch(name: str, fmt: str) -> None:
    data = image_bytes(Image.new("RGB", (8, 8)), fmt)
    assert refused(data, name) == "name_mismatch"


def test_jpg_and_jpeg_both_fit_a_jpeg() -> None:
    data = image_bytes(Image.new("RGB", (8, 8)), "JPEG")
    assert inspect(data, "a.JPG").name == "a.JPG"
    assert inspect(data, "a.jpeg").name == "a.jpeg"


def test_damaged_images() -> None:
    whole = image_bytes(Image.effect_noise((200, 200), 50).convert("RGB"), "PNG")
    assert refused(whole[: len(whole) // 2], "cut.png") == "damaged"
    assert refused(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "junk.png") == "damaged"
    assert refused(b"\xff\xd8\xff" + b"\x00" * 50, "junk.jpg") == "damaged"


# --- PDF ----------------------------------------------------------------------------------------------


def test_pdf() -> None:
    result = inspect(PDF, "Invoice 42.PDF")
    assert (result.name, result.content_type, result.category, result.data) == (
        "Invoice 42.PDF",
        "application/pdf",
        "pdf",
        PDF,
    )
    assert result.thumbnail is None
    assert inspect(PDF, "invoice").name == "invoice.pdf"


def test_pdf_cut_short_is_damaged() -> None:
    assert refused(PDF[:-8] + b"\n" * 2000, "a.pdf") == "damaged"


def test_pdf_must_start_with_its_header() -> None:
    assert refused(b"\x00" * 10 + PDF, "a.pdf") == "type_not_allowed"


# --- office -------------------------------------------------------------------------------------------


def test_docx() -> None:
    data = docx()
    result = inspect(data, "letter.docx")
    assert result.category == "office"
    assert result.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert result.data == data
    assert refused(data, "letter.xlsx") == "name_mismatch"
    assert inspect(data, "letter").name == "letter.docx"


def test_odf() -> None:
    result = inspect(odf("application/vnd.oasis.opendocument.spreadsheet"), "sheet.ods")
    assert result.content_type == "application/vnd.oasis.opendocument.spreadsheet"
    assert refused(odf("application/vnd.oasis.opendocument.text"), "sheet.ods") == "name_mismatch"
    assert refused(odf("application/vnd.oasis.opendocument.graphics"), "a.odg") == "type_not_allowed"


def test_legacy_office() -> None:
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "Workbook".encode("utf-16-le") + b"\x00" * 100
    )
    assert inspect(data, "old.xls").content_type == "application/vnd.ms-excel"
    assert inspect(data, "old.doc").category == "office"
    assert refused(data, "old.docx") == "name_mismatch"
    installer = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    assert refused(installer, "setup.doc") == "type_not_allowed"


def test_zip_bomb_named_docx_is_too_complex() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            chunk = b"\x00" * MB
            for _ in range(20):
                entry.write(chunk)
    data = out.getvalue()
    assert len(data) < 100_000
    assert refused(data, "bomb.docx") == "too_complex"


def test_zip_with_too_many_entries_is_too_complex() -> None:
    data = docx({f"word/media/{index}.xml": b"" for index in range(2_001)})
    assert refused(data, "many.docx") == "too_complex"


def test_macros_plain_zips_and_broken_zips_are_refused() -> None:
    assert refused(docx({"word/vbaProject.bin": b"macro"}), "a.docx") == "type_not_allowed"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(out.getvalue(), "a.docx") == "type_not_allowed"
    assert refused(docx()[:-30], "a.docx") == "damaged"


# --- text ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        (b"Hello, world\n", "utf-8"),
        (b"\xef\xbb\xbf" + "Grüße\n".encode(), "utf-8"),
        ("Grüße\n".encode("utf-16"), "utf-16"),
        (JAPANESE.encode("shift_jis"), "shift_jis"),
        (JAPANESE.encode("cp932") + "①髙".encode("cp932"), "shift_jis"),
        (JAPANESE.encode("euc_jp"), "euc-jp"),
        (b"\x1b[31mred\x1b[0m\tlog\r\n", "utf-8"),
    ],
)
def test_text_encodings(data: bytes, charset: str) -> None:
    result = inspect(data, "notes.txt")
    assert (result.category, result.content_type, result.data) == (
        "text",
        f"text/plain; charset={charset}",
        data,
    )


def test_csv_and_other_text_names() -> None:
    data = JAPANESE.encode("shift_jis")
    assert inspect(data, "price.csv").content_type == "text/csv; charset=shift_jis"
    for name in ("a.log", "a.md", "a.json", "a.TXT"):
        assert inspect(b"{}", name).category == "text"
    assert inspect(b"plain", "README").name == "README.txt"
    assert refused(b"plain words", "a.png") == "name_mismatch"
    assert refused(b"echo hi", "run.sh") == "name_mismatch"


def test_markup_is_text_only_under_a_text_name() -> None:
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refused(html, "photo.png") == "type_not_allowed"
    assert refused(svg, "photo.png") == "type_not_allowed"
    assert refused(html, "page.html") == "type_not_allowed"
    assert refused(svg, "logo.svg") == "type_not_allowed"
    assert inspect(html, "page.txt").content_type == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"\x7fELF\x02\x01\x01",
        b"text with a \x00 in it",
        b"bell \x07 and backspace \x08",
        bytes(range(0x80, 0x100)),
        b"\xff\xfe\x00",  # UTF-16 cut in half
    ],
)
def test_binary_is_not_text(data: bytes) -> None:
    assert refused(data, "a.txt") == "type_not_allowed"


# --- categories ---------------------------------------------------------------------------------------


def test_category_not_allowed() -> None:
    png = image_bytes(Image.new("RGB", (8, 8)), "PNG")
    assert refused(png, "a.png", allowed=("pdf", "text")) == "type_not_allowed"
    assert refused(PDF, "a.pdf", allowed=("images",)) == "type_not_allowed"
    assert refused(docx(), "a.docx", allowed=()) == "type_not_allowed"
    assert refused(b"hello", "a.txt", allowed=("office",)) == "type_not_allowed"
    assert inspect(png, "a.png", allowed=("images",)).category == "images"


def test_refusal_messages() -> None:
    with pytest.raises(FileRefused) as caught:
        inspect_file(b"plain", "a.png", ALL_CATEGORIES, MB)
    assert caught.value.message == "The file's contents do not match its name (.png)."
    assert str(caught.value).startswith("name_mismatch")


def marked_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (35.0, 39.0, 0.0)}
    return exif


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.mark.parametrize(
    ("mode", "fmt", "name"),
    [
        ("RGB", "JPEG", "a.jpg"),
        ("L", "JPEG", "a.jpg"),
        ("CMYK", "JPEG", "a.jpg"),
        ("RGB", "PNG", "a.png"),
        ("RGBA", "PNG", "a.png"),
        ("LA", "PNG", "a.png"),
        ("P", "PNG", "a.png"),
        ("1", "PNG", "a.png"),
        ("I;16", "PNG", "a.png"),
        ("RGB", "WEBP", "a.webp"),
        ("RGBA", "WEBP", "a.webp"),
        ("P", "GIF", "a.gif"),
        ("L", "GIF", "a.gif"),
    ],
)
def test_modes_are_reencoded_without_metadata(mode: str, fmt: str, name: str) -> None:
    image = Image.effect_noise((400, 300), 40).convert(mode)
    params: dict[str, object] = {"exif": marked_exif()} if fmt != "GIF" else {"comment": b"CameraMaker"}
    if fmt != "GIF" and mode != "1":
        params["icc_profile"] = SRGB
    data = image_bytes(image, fmt, **params)
    assert b"CameraMaker" in data
    result = inspect(data, name)
    assert b"CameraMaker" not in result.data
    assert b"Exif" not in result.data
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == fmt
        assert stored.size == (400, 300)
        assert not stored.getexif()
        assert "icc_profile" not in stored.info
        stored.load()
    assert result.thumbnail is not None
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert thumb.size == (THUMBNAIL_EDGE, 240)
        assert thumb.format == ("PNG" if result.thumbnail_type == "image/png" else "JPEG")


def test_gif_transparency_is_kept() -> None:
    image = Image.new("P", (10, 10), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(0, (0, 0, 5, 10))
    data = image_bytes(image, "GIF", transparency=0)
    result = inspect(data, "t.gif")
    assert result.thumbnail_type == "image/png"
    with Image.open(io.BytesIO(result.data)) as stored:
        rgba = stored.convert("RGBA")
        assert rgba.getpixel((1, 1)) == (0, 0, 0, 0)
        assert rgba.getpixel((8, 8)) == (255, 0, 0, 255)


@pytest.mark.parametrize(("fmt", "name"), [("WEBP", "a.webp"), ("PNG", "a.png")])
def test_animated_webp_and_png_keep_their_frames(fmt: str, name: str) -> None:
    frames = [Image.new("RGBA", (12, 12), (index * 80, 0, 0, 255)) for index in range(3)]
    data = image_bytes(frames[0], fmt, save_all=True, append_images=frames[1:], duration=[50, 60, 70], loop=0)
    result = inspect(data, name)
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == fmt
        assert getattr(stored, "n_frames", 1) == 3


def test_animation_over_its_pixel_budget_is_too_complex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_ANIMATION_PIXELS", 250)
    frames = [Image.new("RGB", (10, 10), (index * 80, 0, 0)) for index in range(3)]
    data = image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert refused(data, "a.gif") == "too_complex"


def test_animated_png_frames_stay_transparent_where_they_were() -> None:
    first = Image.new("RGBA", (10, 10), (255, 0, 0, 255))
    second = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    second.paste((0, 255, 0, 255), (0, 0, 5, 10))
    data = image_bytes(first, "PNG", save_all=True, append_images=[second], duration=[100, 100], loop=0)
    result = inspect(data, "a.png")
    with Image.open(io.BytesIO(result.data)) as stored:
        shown = [frame.convert("RGBA").getpixel((8, 8)) for frame in ImageSequence.Iterator(stored)]
    assert shown == [(255, 0, 0, 255), (0, 0, 0, 0)]
