"""Korean data next to the English: block explanations (English in each block's class, Korean in
core/blocks/docs.ko.json), example names and descriptions, and the glossary they share. Each test
fails when the English grows and the Korean does not follow."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

import core.blocks
from core.blocks import BLOCKS, block_docs, block_texts, docs_data, set_docs_language

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
GLOSSARY = json.loads((ROOT / "resources" / "i18n" / "glossary.json").read_text(encoding="utf-8"))["terms"]


FIELDS = ("summary", "tip")


def _load(name):
    return json.loads((ROOT / "core" / "blocks" / name).read_text(encoding="utf-8"))


def _english():
    """Each block's explanation as its class states it."""
    return {name: {f: getattr(BLOCKS.get(name), f) for f in FIELDS} for name in BLOCKS}


def _korean():
    """docs.ko.json's summary and tip per block (its "texts" are checked in tests/gui/test_i18n.py)."""
    return {b: {f: v for f, v in e.items() if f in FIELDS} for b, e in _load("docs.ko.json").items()}


def test_english_block_docs_are_the_block_classes_attributes():
    """English lives in the block's module: block_docs("en") is read from the classes, and every
    registered block explains itself (a summary and a tip)."""
    assert not (ROOT / "core" / "blocks" / "docs.en.json").exists()
    docs = block_docs("en")
    assert set(docs) == set(BLOCKS)
    for name in BLOCKS:
        cls = BLOCKS.get(name)
        assert docs[name] == {"summary": cls.summary, "tip": cls.tip}, name
        assert cls.summary.strip() and cls.tip.strip(), f"{name}: set `summary` and `tip` on its class"


def test_korean_block_docs_have_exactly_the_english_keys():
    en, ko = _english(), _load("docs.ko.json")
    assert set(ko) == set(en), f"blocks missing in Korean: {set(en) - set(ko)}; extra: {set(ko) - set(en)}"
    for block, entry in ko.items():
        assert set(FIELDS) <= set(entry) <= {*FIELDS, "texts"}, (block, sorted(entry))


def test_block_docs_fall_back_to_english_field_by_field(monkeypatch):
    """A block the translators have not reached (or a field they left out) reads in English,
    the rest stays translated; nothing on disk changes."""
    real = _load("docs.ko.json")
    partial = {b: dict(e) for b, e in real.items() if b != "Dense"}
    del partial["BatchNorm"]["tip"]
    partial["Dropout"]["summary"] = ""
    monkeypatch.setattr(core.blocks, "_translations", lambda language: partial if language == "ko" else {})
    ko, en = block_docs("ko"), _english()
    assert ko["Dense"] == en["Dense"]
    assert ko["BatchNorm"] == {"summary": real["BatchNorm"]["summary"], "tip": en["BatchNorm"]["tip"]}
    assert ko["Dropout"] == {"summary": en["Dropout"]["summary"], "tip": real["Dropout"]["tip"]}
    assert ko["ReLU"] == {f: real["ReLU"][f] for f in FIELDS}
    assert set(ko) == set(BLOCKS) and all(set(v) == set(FIELDS) for v in ko.values())


def test_block_texts_merge_every_blocks_texts(monkeypatch):
    data = {"Dense": {"summary": "s", "tip": "t", "texts": {"Units": "유닛 수", "Empty": " "}},
            "Probe": {"texts": {"Probe knob": "프로브 손잡이"}}}
    monkeypatch.setattr(core.blocks, "_translations", lambda language: data if language == "ko" else {})
    assert block_texts("ko") == {"Units": "유닛 수", "Probe knob": "프로브 손잡이"}
    assert block_texts("en") == {}
    assert docs_data("ko") is data


def test_korean_block_docs_are_korean_and_name_the_english_term_once():
    en, ko = _english(), _korean()
    for block, fields in ko.items():
        for key, text in fields.items():
            assert HANGUL.search(text), f"{block}.{key} has no Korean: {text!r}"
            assert text != en[block][key]
        # the course's habit: the English name in parentheses the first time, e.g.
        # "배치 정규화(Batch Normalization)" — once per explanation, in the summary
        first = fields["summary"]
        assert re.search(r"\([A-Z][A-Za-z0-9 .\-]+\)|^[A-Za-z]+\(", first) or block in first, \
            f"{block}: the summary should introduce the English term: {first!r}"


@pytest.mark.parametrize("english, korean", [
    ("batch normalization", "배치 정규화"), ("vanishing gradient", "기울기 소실"),
    ("overfitting", "과적합"), ("gradient", "기울기"), ("learning rate", "학습률")])
def test_block_docs_use_the_glossary_terms(english, korean):
    """Where the English explanation uses a glossary term, the Korean one uses its glossary word."""
    assert GLOSSARY[english] == korean
    en, ko = _english(), _korean()
    for block in en:
        en_text = " ".join(en[block].values()).lower()
        if english.replace(" ", "") in en_text.replace(" ", "").replace("normalisation", "normalization"):
            assert korean in " ".join(ko[block].values()), f"{block}: expected {korean!r}"


def test_block_docs_answer_in_the_chosen_language():
    try:
        set_docs_language("ko")
        assert block_docs()["BatchNorm"]["summary"].startswith("배치 정규화(Batch Normalization)")
        assert block_docs("en")["BatchNorm"] == _english()["BatchNorm"]
        assert block_docs("xx") == _english()       # unknown language → English
    finally:
        set_docs_language("en")
    assert block_docs() == _english()


def test_every_example_has_a_current_korean_name_and_description():
    ko = json.loads((ROOT / "resources" / "i18n" / "examples.ko.json").read_text(encoding="utf-8"))
    files = sorted((ROOT / "resources" / "examples").glob("*.json"))
    assert files
    for f in files:
        raw = json.loads(f.read_text(encoding="utf-8"))
        entry = ko.get(f.stem)
        assert entry, f"{f.name}: no Korean name/description in resources/i18n/examples.ko.json"
        assert HANGUL.search(entry["name"]) or entry["name"] == raw["name"]
        assert HANGUL.search(entry["description"]), f.stem
        sha = hashlib.sha1((raw["name"] + "\n" + raw["description"]).encode()).hexdigest()
        assert entry["source"] == sha, (f"{f.name}: the English name or description changed; "
                                        "update its Korean translation and its 'source' hash")


def test_glossary_is_one_to_one():
    words = [w for w in GLOSSARY.values()]
    dupes = {w for w in words if words.count(w) > 1}
    assert not dupes, f"one Korean word for two English terms: {dupes}"
    assert all(HANGUL.search(w) for w in words)


def _glossary_violations(pairs):
    """(term, English, Korean) where an English text uses a glossary term and its Korean
    translation lacks the glossary's word. Placeholders, `code`, identifiers (val_loss,
    node_id/weight), formulas (m·b) and block type names (Input) are not words to translate."""
    glossary = json.loads((ROOT / "resources" / "i18n" / "glossary.json").read_text(encoding="utf-8"))
    compounds = glossary.get("compounds", {})
    skip = re.compile(r"\{[^}]*\}|`[^`]*`|\S*[_/=·]\S*")
    out = []
    for english, korean in pairs:
        text = skip.sub(" ", english.replace("&", ""))
        text = re.sub(r"(?<=[a-z])is(ation|e|ed|ing)\b", r"iz\1", text)     # initialisation → -ization
        text = re.sub(r"\b[A-Z]{2,}\b", " ", text)      # a command's placeholders: DESIGN, URL
        for block in BLOCKS:
            text = re.sub(rf"\b{block}\b", " ", text)
        for phrase, word in compounds.items():
            if re.search(rf"\b{phrase}\b", text, re.I):
                if word not in korean:
                    out.append((phrase, english, korean))
                text = re.sub(rf"\b{phrase}\b", " ", text, flags=re.I)
        for term, word in glossary["terms"].items():
            pattern = r"\b" + re.escape(term).replace(r"\ ", r"[\s-]") + r"s?\b"
            if re.search(pattern, text, re.I) and word not in korean:
                out.append((term, english, korean))
    return out


def test_ui_translations_use_the_glossary_words():
    import xml.etree.ElementTree as ET
    ts = ET.parse(ROOT / "designer" / "i18n" / "netdesigner_ko.ts").getroot()
    pairs = [(m.findtext("source") or "", m.findtext("translation") or "") for m in ts.iter("message")]
    assert len(pairs) > 500
    bad = _glossary_violations(pairs)
    assert not bad, "\n".join(f"{t!r}: {e!r} → {k!r}" for t, e, k in bad[:30])


def test_the_glossary_check_can_fail():
    assert _glossary_violations([("Early stopping", "조기 중단")]) == [("early stopping", "Early stopping", "조기 중단")]
    assert _glossary_violations([("Set `batch_size`", "설정")]) == []


def test_block_docs_and_example_texts_use_the_glossary_words():
    en, ko = _english(), _korean()
    pairs = [(en[b][k], ko[b][k]) for b in en for k in en[b]]
    examples = json.loads((ROOT / "resources" / "i18n" / "examples.ko.json").read_text(encoding="utf-8"))
    for f in sorted((ROOT / "resources" / "examples").glob("*.json")):
        raw, entry = json.loads(f.read_text(encoding="utf-8")), examples.get(f.stem, {})
        pairs += [(raw["name"], entry.get("name", "")), (raw["description"], entry.get("description", ""))]
    bad = _glossary_violations(pairs)
    assert not bad, "\n".join(f"{t!r}: {e[:80]!r} → {k[:80]!r}" for t, e, k in bad[:30])
