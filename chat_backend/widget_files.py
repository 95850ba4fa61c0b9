"""Serving the website widget: the loader `/widget.js` and its chunks `/widget/chunks/<name>`.

The build (chat_backend/widget/build.mjs) writes the loader, content-hashed chunks, a `.gz` and a
`.br` of each, and `widget/manifest.json`. Only the files the manifest names are served: the name in
the URL is looked up in that set, never joined to a path. Each answer picks the smallest encoding the
client accepts (brotli, gzip, none) and says so with `Content-Encoding` and `Vary: Accept-Encoding`.

- `/widget.js` changes with every release under the same URL: `Cache-Control: no-cache` and a strong
  ETag (the sha256 of the loader), so a repeat page view costs a 304 of a few hundred bytes.
- Chunks never change under their name: `Cache-Control: public, max-age=31536000, immutable`, and
  `Access-Control-Allow-Origin: *` because sites import them as ES modules from another origin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

STATIC = Path(__file__).with_name("static")
IMMUTABLE = "public, max-age=31536000, immutable"
# Preferred first: the smaller one.
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


@dataclass(frozen=True)
class _File:
    """One served file in every encoding the build wrote, read once."""

    bodies: dict[str, bytes]  # "identity" | "gzip" | "br" -> bytes
    etag: str


def _load(path: Path, sha256: str) -> _File:
    bodies = {"identity": path.read_bytes()}
    for name, suffix in _ENCODINGS:
        compressed = path.with_name(path.name + suffix)
        if compressed.is_file():
            bodies[name] = compressed.read_bytes()
    return _File(bodies=bodies, etag=f'"{sha256[:32]}"')


def accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header allows (q > 0); `*` allows both of ours."""
    allowed: set[str] = set()
    for part in header.split(",")[:32]:
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        name = name.strip().lower()
        if q <= 0 or not name:
            continue
        if name == "*":
            allowed.update(coding for coding, _ in _ENCODINGS)
        else:
            allowed.add(name)
    return allowed


def _answer(request: Request, file: _File, cache: str, extra: dict[str, str]) -> Response:
    headers = {"Cache-Control": cache, "ETag": file.etag, "Vary": "Accept-Encoding", **extra}
    if file.etag in request.headers.get("if-none-match", "")[:1024]:
        return Response(status_code=304, headers=headers)
    allowed = accepted_encodings(request.headers.get("accept-encoding", "")[:1024])
    for coding, _ in _ENCODINGS:
        if coding in allowed and coding in file.bodies:
            headers["Content-Encoding"] = coding
            return Response(file.bodies[coding], media_type="text/javascript", headers=headers)
    return Response(file.bodies["identity"], media_type="text/javascript", headers=headers)


def add_widget_routes(app: FastAPI, static: Path = STATIC) -> None:
    manifest = json.loads((static / "widget" / "manifest.json").read_text(encoding="utf-8"))
    loader = _load(static / manifest["loader"]["file"], manifest["loader"]["sha256"])
    chunk_dir = static / "widget" / "chunks"
    chunks = {name: _load(chunk_dir / name, sha) for name, sha in manifest["chunks"].items()}

    @app.get("/widget.js", include_in_schema=False)
    async def widget(request: Request) -> Response:
        return _answer(request, loader, "no-cache", {})

    @app.get("/widget/chunks/{name}", include_in_schema=False)
    async def widget_chunk(name: str, request: Request) -> Response:
        chunk = chunks.get(name)
        if chunk is None:
            raise HTTPException(404)
        return _answer(request, chunk, IMMUTABLE, {"Access-Control-Allow-Origin": "*"})
