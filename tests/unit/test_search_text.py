"""Archive search text: normalisation, bigram tokens that both index engines read as plain words, and
snippets whose highlights point at the original characters."""

from __future__ import annotations

import re

from chat_backend.domain import search_text as st


def test_normalize_folds_width_case_and_space() -> None:
    assert st.normalize("  ＡＢ－１２３４\n\tOrder  ") == "ab-1234 order"
    assert st.normalize("Straße") == "strasse"
    assert st.normalize("ｶﾀｶﾅ") == "カタカナ"


def test_tokens_are_plain_words_one_per_distinct_bigram_and_the_end() -> None:
    tokens = st.tokens(st.normalize("抹茶抹茶"))
    assert all(re.fullmatch(r"[0-9a-z]{8}", token) for token in tokens)
    # 抹茶, 茶抹 (抹茶 again is the same token), and 茶 with the end mark
    assert len(tokens) == 3
    assert tokens[-1] == st.char_token("茶") + "zzzz"
    assert st.tokens("") == []
    assert st.char_token(chr(0x10FFFF)) < "zzzz"  # the end mark is above every code point


def test_a_document_holds_every_token_of_each_of_its_substrings() -> None:
    text = st.normalize("注文番号は AB-1234 です。hanako.yamada@example.jp")
    held = set(st.tokens(text))
    for start in range(len(text)):
        for end in range(start + 2, min(len(text), start + 12) + 1):
            required, prefix = st.query_tokens(text[start:end])
            assert prefix is None
            assert set(required) <= held
    for char in set(text):
        required, prefix = st.query_tokens(char)
        assert required == []
        assert prefix is not None
        assert any(token.startswith(prefix) for token in held)


def test_query_syntax_is_never_passed_through() -> None:
    required, prefix = st.query_tokens(st.normalize('"x" OR NEAR(*) % \\'))
    assert st.fts5_match(required, prefix).replace('"', "").replace(" AND ", "").isalnum()
    assert set(st.tsquery(required, prefix)) <= set("0123456789abcdefghijklmnopqrstuvwxyz'& :*")
    long_query = st.normalize("あいうえお" * 2000)
    assert len(st.query_tokens(long_query)[0]) <= st.MAX_QUERY_TOKENS


def test_snippet_highlights_the_original_characters() -> None:
    text, spans = st.snippet("注文番号は ＡＢ－１２３４ です", st.normalize("ab-1234"))
    assert [text[a:b] for a, b in spans] == ["ＡＢ－１２３４"]
    long = "前置き" * 100 + "抹茶ラテ" + "後書き" * 100
    text, spans = st.snippet(long, "抹茶", width=60)
    assert text.startswith("…")
    assert text.endswith("…")
    assert len(text) == 62
    assert [text[a:b] for a, b in spans] == ["抹茶"]
    text, spans = st.snippet("<b>Straße</b> und STRASSE", "strasse")
    assert [text[a:b] for a, b in spans] == ["Straße", "STRASSE"]
    assert st.snippet("no match here", "xyz") == ("no match here", [])
