"""Text responses go gzipped to browsers that accept it: pages, the map (its data compressed once per cached map)
and static CSS and JavaScript; the same bytes once decompressed, and nothing else changes."""

import gzip
import re
from datetime import date

import pytest
from flask import Response

from forum_crm.compression import compress_response, deflated, gzip_bytes, page_with_part
from tests import factories

GZIP = {"Accept-Encoding": "gzip, deflate"}


def without_nonce(page: str) -> str:
    """The page without what differs between two requests: the CSP nonce and the (timed) CSRF tokens."""
    page = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", page)
    return re.sub(r"nonce-[\w-]+|nonce=\"[\w-]+\"", "nonce", page)


@pytest.fixture
def coordinator(app, login):
    with app.app_context():
        town = factories.locality("Łódź")
        organisation = factories.organisation("Fundacja Łódzka", locality=town, forum_member_since=date(2023, 1, 1))
        factories.affiliation(factories.person("Jan", "Ślęzak", locality=town), organisation)
        user = factories.committed(factories.user())
    login(user)


@pytest.mark.parametrize("path", ["/people", "/organisations", "/map", "/map?sector=ngo"])
def test_pages_are_sent_gzipped_and_decompress_to_the_same_page(client, coordinator, path):
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data)
    assert without_nonce(gzip.decompress(packed.data).decode()) == without_nonce(plain.text)


def test_the_map_data_is_compressed_once_per_cached_map(app, client, coordinator):
    app.extensions.pop("forum_crm.map_cache", None)
    client.get("/map", headers=GZIP)
    (_, rendered), = app.extensions["forum_crm.map_cache"]._entries.values()
    first = rendered.compressed_data
    assert gzip.decompress(client.get("/map", headers=GZIP).data).decode().count(first.text) == 1
    assert rendered.compressed_data is first


def test_static_files_are_compressed_once_and_stay_cacheable(client):
    plain = client.get("/static/css/app.css")
    packed = client.get("/static/css/app.css", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] == "W/" + plain.headers["ETag"]
    assert client.get("/static/css/app.css", headers=GZIP).data == packed.data
    again = client.get("/static/css/app.css", headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_what_is_not_compressed(app, client, coordinator):
    assert "Content-Encoding" not in client.get("/no-such-page", headers=GZIP).headers  # not 200
    assert "Content-Encoding" not in client.get("/people", headers={"Accept-Encoding": "gzip;q=0"}).headers
    export = client.get("/people/export.csv", headers=GZIP)
    assert "Content-Encoding" not in export.headers  # streamed, and not text/html
    export.close()  # ends the export's reading transaction now, not whenever the garbage collector finds it


def test_parts_compressed_apart_make_one_valid_gzip_member():
    shared = deflated("ą" * 5000 + "<data>")
    packed = gzip_bytes("<html>ż".encode(), shared, b"", shared, b"</html>")
    assert gzip.decompress(packed).decode() == "<html>ż" + shared.text + shared.text + "</html>"
    assert gzip.decompress(gzip_bytes()) == b""


def test_small_bodies_and_pages_without_the_part_are_sent_as_they_are(app):
    with app.test_request_context("/", headers=GZIP):
        small = compress_response(Response("<p>small</p>", mimetype="text/html"))
        assert "Content-Encoding" not in small.headers and small.data == b"<p>small</p>"
        assert page_with_part("<p>" + "x" * 1000 + "</p>", deflated("not in it")) == "<p>" + "x" * 1000 + "</p>"
