"""Every user-visible string of the app is translated, and the committed .qm files are fresh."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.build_translations import LANGUAGES, lrelease, lupdate, qm_path, ts_path

Message = tuple[str, str]  # (context, source)


def messages(ts_file: Path) -> dict[Message, ET.Element]:
    root = ET.parse(ts_file).getroot()
    found: dict[Message, ET.Element] = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def is_finished(message: ET.Element) -> bool:
    translation = message.find("translation")
    if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
        return False
    forms = translation.findall("numerusform")
    texts = [f.text for f in forms] if forms else [translation.text]
    return all(text and text.strip() for text in texts)


@pytest.fixture(scope="module")
def code_strings(tmp_path_factory: pytest.TempPathFactory) -> set[Message]:
    """What lupdate finds in the code today (into a fresh file, never touching the committed ones)."""
    fresh = tmp_path_factory.mktemp("lupdate") / "fresh_ja.ts"
    lupdate(fresh, "ja")
    found = set(messages(fresh))
    assert len(found) > 50
    return found


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_source_string_is_translated(language: str, code_strings: set[Message]) -> None:
    committed = messages(ts_path(language))
    missing = sorted(m for m in code_strings if m not in committed)
    unfinished = sorted(m for m in code_strings if m in committed and not is_finished(committed[m]))
    assert missing == [], f"run scripts/build_translations.py and translate: {missing}"
    assert unfinished == [], f"translate in {ts_path(language).name}: {unfinished}"


def test_japanese_translations_are_japanese(code_strings: set[Message]) -> None:
    committed = messages(ts_path("ja"))
    untranslated = []
    for key in code_strings:
        text = committed[key].findtext("translation") or ""
        if not any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text):
            untranslated.append(key)
    assert untranslated == []


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_committed_qm_is_what_the_ts_compiles_to(language: str, tmp_path: Path) -> None:
    compiled = tmp_path / f"{language}.qm"
    source = tmp_path / f"operator_app_{language}.ts"
    shutil.copy(ts_path(language), source)
    lrelease(source, compiled)
    committed = qm_path(language)
    assert committed.exists(), "run scripts/build_translations.py --compile"
    assert committed.read_bytes() == compiled.read_bytes(), (
        "stale .qm: run scripts/build_translations.py --compile"
    )
