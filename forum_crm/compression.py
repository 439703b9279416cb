"""gzip for text responses (HTML, JSON, CSS, JavaScript, SVG) when the browser accepts it.

A page may carry a large part that many requests share (the member map's data, 1.2 MB at 100,000 people): that part
is compressed once (`Deflated`) and each response compresses only the rest around it. Independent raw deflate streams
that end on a byte boundary (Z_SYNC_FLUSH) can follow each other in one gzip member: no part refers back to another.
A proxy in front of the app may compress too (or leave it to the app); it must pass `Content-Encoding` through.
"""

import zlib
from dataclasses import dataclass, field

from flask import Response, request

COMPRESSIBLE = frozenset({"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/plain"})
MIN_BYTES = 500  # smaller bodies gain nothing worth the header
LEVEL = 6  # what is compressed once and sent many times: static files
# What is compressed for one response (a page around its shared part), at the level nginx uses by default: a 16 KB
# list page in less than half of level 6's time (110 µs against 260), for 10% more bytes (4.1 KB against 3.7).
RESPONSE_LEVEL = 1
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
_static_cache: dict[tuple[str, str], bytes] = {}  # (path, ETag) -> the compressed file


@dataclass(frozen=True)
class Deflated:
    """A part of a page, compressed once as raw deflate that other parts may follow."""

    text: str
    raw: bytes = field(repr=False)
    data: bytes = field(repr=False)


def deflated(text: str, level: int = LEVEL) -> Deflated:
    raw = text.encode()
    return Deflated(text, raw, _deflate(raw, zlib.Z_SYNC_FLUSH, level))


def _deflate(raw: bytes, ending: int, level: int = LEVEL) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(raw) + compressor.flush(ending)


def gzip_bytes(*parts: bytes | Deflated, level: int = RESPONSE_LEVEL) -> bytes:
    """One gzip member of the parts in order: bytes compressed now (at `level`), Deflated parts as they were
    compressed once."""
    chunks, crc, length = [_GZIP_HEADER], 0, 0
    for part in parts:
        raw = part.raw if isinstance(part, Deflated) else part
        crc, length = zlib.crc32(raw, crc), length + len(raw)
        chunks.append(part.data if isinstance(part, Deflated) else _deflate(raw, zlib.Z_SYNC_FLUSH, level))
    chunks.append(_deflate(b"", zlib.Z_FINISH))  # the final (empty) block
    chunks.append(crc.to_bytes(4, "little") + (length % 2**32).to_bytes(4, "little"))
    return b"".join(chunks)


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def page_with_part(page: str, part: Deflated) -> Response | str:
    """The rendered `page` that contains `part`, gzipped around the part's own compression if the browser accepts it."""
    start = page.find(part.text) if accepts_gzip() else -1
    if start < 0:
        return page
    end = start + len(part.text)
    response = Response(gzip_bytes(page[:start].encode(), part, page[end:].encode()), mimetype="text/html")
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def compress_response(response: Response) -> Response:
    """after_request: gzip a text response the browser accepts compressed (static files once per version)."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (response.status_code != 200 or "Content-Encoding" in response.headers or not accepts_gzip()
            or (response.is_streamed and request.endpoint != "static")):
        return response
    response.direct_passthrough = False  # static files: read the file here
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    etag, _weak = response.get_etag()
    if request.endpoint == "static" and etag:
        key = (request.path, etag)
        if key not in _static_cache:
            _static_cache[key] = gzip_bytes(body, level=LEVEL)
        compressed = _static_cache[key]
        response.set_etag(etag, weak=True)  # the same file, in another encoding
    else:
        compressed = gzip_bytes(body)
    response.set_data(compressed)
    response.headers["Content-Encoding"] = "gzip"
    return response
