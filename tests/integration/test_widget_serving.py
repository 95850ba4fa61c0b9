"""The widget as the backend serves it: a revalidated loader, immutable chunks, precompressed bodies."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from chat_backend.widget_files import accepted_encodings
from tests.support.backend import BackendProcess

STATIC = Path(__file__).resolve().parents[2] / "chat_backend" / "static"
MANIFEST = json.loads((STATIC / "widget" / "manifest.json").read_text(encoding="utf-8"))


def test_the_loader_is_revalidated_and_a_repeat_view_is_a_small_304(shared_backend: BackendProcess) -> None:
    with httpx.Client(base_url=shared_backend.url) as http:
        first = http.get("/widget.js", headers={"Accept-Encoding": "gzip"})
        assert first.status_code == 200
        assert first.headers["cache-control"] == "no-cache"
        assert first.headers["content-encoding"] == "gzip"
        assert first.headers["vary"] == "Accept-Encoding"
        assert first.content == (STATIC / "widget.js").read_bytes()  # httpx decoded the gzip
        assert int(first.headers["content-length"]) < 1024
        etag = first.headers["etag"]
        again = http.get("/widget.js", headers={"If-None-Match": etag, "Accept-Encoding": "gzip, br"})
        assert again.status_code == 304
        assert again.content == b""
        assert len(str(again.headers)) < 1024


def test_chunks_are_immutable_importable_and_compressed_as_the_client_accepts(
    shared_backend: BackendProcess,
) -> None:
    chunks = STATIC / "widget" / "chunks"
    name = max(MANIFEST["chunks"], key=lambda chunk: (chunks / chunk).stat().st_size)
    plain = (chunks / name).read_bytes()
    with httpx.Client(base_url=shared_backend.url) as http:
        for accept, coding in (("br;q=1, gzip;q=0.5", "br"), ("gzip, br;q=0", "gzip"), ("identity", None)):
            got = http.get(f"/widget/chunks/{name}", headers={"Accept-Encoding": accept})
            assert got.status_code == 200
            assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert got.headers["access-control-allow-origin"] == "*"
            assert got.headers["vary"] == "Accept-Encoding"
            assert "javascript" in got.headers["content-type"]
            assert got.headers.get("content-encoding") == coding, accept
            if coding == "br":
                assert got.num_bytes_downloaded < len(plain) / 3
            if coding is None:
                assert got.content == plain
            if coding == "gzip":
                assert got.content == plain  # httpx decoded it


def test_only_files_of_the_manifest_are_served(shared_backend: BackendProcess) -> None:
    name = MANIFEST["entry"]
    with httpx.Client(base_url=shared_backend.url) as http:
        for path in (
            f"/widget/chunks/{name}.gz",
            f"/widget/chunks/{name}.br",
            "/widget/manifest.json",
            "/widget/chunks/..%2F..%2Fwidget.js",
            "/widget/chunks/..%2Fmanifest.json",
            "/widget/chunks/%2Fetc%2Fpasswd",
            "/widget/chunks/main-NOSUCH.js",
            "/widget.js.gz",
        ):
            assert http.get(path).status_code == 404, path


def test_accept_encoding_parsing() -> None:
    assert accepted_encodings("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert accepted_encodings("br;q=0, gzip;q=0.8") == {"gzip"}
    assert accepted_encodings("*") == {"br", "gzip"}
    assert accepted_encodings("") == set()
    assert accepted_encodings("gzip;q=nonsense") == set()
