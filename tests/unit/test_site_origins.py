"""Site origins are normalised as browsers serialise them: IDNA 2008 / UTS #46, non-transitional."""

from __future__ import annotations

import pytest

from chat_backend.domain.sites import normalize_origin
from chat_protocol.traffic import origin_of, page_allowed


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        # IDNA 2003 maps ß to ss: another domain, someone else's. Browsers keep it.
        ("https://faß.example", "https://xn--fa-hia.example"),
        ("https://xn--fa-hia.example", "https://xn--fa-hia.example"),
        ("https://BÜCHER.example:443/shop?x=1", "https://xn--bcher-kva.example"),
        ("http://ｅｘａｍｐｌｅ。com:8080", "http://example.com:8080"),
        ("https://Shop.Example:443/", "https://shop.example"),
        ("https://my_shop.example", "https://my_shop.example"),
        ("http://127.0.0.1:8470", "http://127.0.0.1:8470"),
        ("http://[::1]:8470", "http://[::1]:8470"),
    ],
)
def test_origins_are_stored_in_the_form_browsers_send(given: str, stored: str) -> None:
    assert normalize_origin(given) == stored


@pytest.mark.parametrize(
    "given",
    ["https://xn--zz.example", "https://a\u200db.example", "javascript:alert(1)", "https://" + "a" * 300],
)
def test_what_no_browser_would_send_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        normalize_origin(given)


def test_page_push_compares_the_forms_browsers_compare() -> None:
    site = ["https://xn--fa-hia.example"]
    assert page_allowed("https://faß.example/tee?sorte=1", site)
    assert page_allowed("https://xn--fa-hia.example/", ["https://faß.example"])
    assert not page_allowed("https://fass.example/tee", site)
    assert origin_of("https://a\u200db.example/") is None
