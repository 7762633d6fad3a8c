"""Korean as a first-class language: the .ts is complete and current, the compiled .qm matches it,
a Korean window shows no English in its menus, toolbars and docks, and the language switches in
place (Preferences, --lang, the system locale) without losing the open design."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QPointF, QTranslator
from PySide6.QtWidgets import QApplication, QDialog

from core.blocks import BLOCKS
from core.losses import LOSSES
from core.metrics import METRIC_NAMES
from core.optimizers import OPTIMIZERS
from designer import i18n
from designer.i18n import update

from .i18n_walk import KEEP, untranslated, visible_texts

ROOT = Path(__file__).resolve().parents[2]
TS = update.ts_path("ko")
# Identifiers shown as they are: block types, registry names a design file uses, metric names.
IDENTIFIERS = KEEP | set(BLOCKS) | set(METRIC_NAMES) | set(LOSSES.names()) | set(OPTIMIZERS.names())


@pytest.fixture
def korean(qapp):
    """Korean installed for one test, English (and the previous locale) restored after it."""
    locale = QLocale()
    i18n.install(qapp, "ko")
    yield
    i18n.install(qapp, "en")
    QLocale.setDefault(locale)


def _english_texts(window) -> list[tuple[str, str]]:
    """Untranslated texts; the design's own node ids and titles are the user's words."""
    import re
    graph = window.document.graph
    keep = IDENTIFIERS | set(graph.nodes) | {n.title for n in graph.nodes.values()}
    return [(where, text) for where, text in visible_texts(window)
            if untranslated(re.sub(r"<[^>]+>", " ", text), keep)]


# ---- the translation files ---------------------------------------------------------------------
def test_every_string_in_the_ts_has_a_finished_korean_translation():
    problems = update.problems(TS)
    assert not problems, f"{len(problems)} string(s) need work in {TS.name} " \
                         f"(python -m designer.i18n.update --todo todo.json):\n" + "\n".join(problems[:40])


def test_the_ts_holds_exactly_the_strings_of_the_current_code():
    """lupdate into a scratch file: a new tr() string (or a removed one) makes the .ts stale."""
    have = {(m["context"], m["source"]) for m in update.messages(TS)}
    now = update.fresh_sources("ko")
    missing, gone = sorted(now - have), sorted(have - now)
    assert not missing and not gone, (
        "run `python -m designer.i18n.update` and translate the new strings (a block's parameter "
        "texts may instead go into its \"texts\" in core/blocks/docs.ko.json).\n"
        f"not in the .ts: {missing[:30]}\nno longer in the code: {gone[:30]}")


# ---- core's texts: translated by the .ts or, for a block's parameters, by docs.ko.json ----------
PROBE_TEXTS = {"Probe knob": "프로브 손잡이", "How far the probe knob turns.": "프로브 손잡이가 도는 정도."}


def _with_probe_texts(monkeypatch, **extra):
    """docs.ko.json as it is plus a "texts" entry that only this test knows (nothing on disk)."""
    import core.blocks
    real = core.blocks._translations

    def patched(language):
        data = dict(real(language))
        if language == "ko":
            data["ProbeBlock"] = {"texts": {**PROBE_TEXTS, **extra}}
        return data
    monkeypatch.setattr(core.blocks, "_translations", patched)


def test_every_core_text_is_translated_by_the_ts_or_a_block_docs_entry():
    missing = update.untranslated_core_texts("ko")
    assert not missing, ("core texts with no Korean — translate them in the .ts (python -m "
                         "designer.i18n.update --todo todo.json) or, for a block's parameters, in its "
                         "\"texts\" in core/blocks/docs.ko.json:\n" + "\n".join(map(repr, missing[:40])))


def test_the_core_text_check_names_a_text_neither_source_translates(monkeypatch):
    """A new block's parameter text: reported by name while neither source has it; accepted once
    docs.ko.json's "texts" translate it — and then core_strings.py need not list it (the .ts
    stays as it is)."""
    real = update.core_texts()
    monkeypatch.setattr(update, "core_texts", lambda: [*real, *PROBE_TEXTS])
    assert update.untranslated_core_texts("ko") == list(PROBE_TEXTS)
    assert set(PROBE_TEXTS) <= set(update.listed_core_texts())
    _with_probe_texts(monkeypatch, Units="유닛 수")
    assert update.untranslated_core_texts("ko") == []
    listed = update.listed_core_texts()
    assert not set(PROBE_TEXTS) & set(listed)
    assert "Units" in listed            # translated by the .ts: stays listed though the data repeats it


def test_block_docs_texts_translate_that_blocks_own_parameter_texts():
    """Every "texts" key of docs.ko.json is a text the block's inspector form shows, in Korean."""
    from core.blocks import docs_data

    from .i18n_walk import HANGUL
    bad = []
    for block, entry in docs_data("ko").items():
        texts = entry.get("texts", {})
        if not texts:
            continue
        own = set(update.block_param_texts(BLOCKS.get(block))) if block in BLOCKS else set()
        for english, korean in texts.items():
            if english not in own:
                bad.append(f"{block}: {english!r} is not one of its parameter texts")
            elif not (isinstance(korean, str) and HANGUL.search(korean)):
                bad.append(f"{block}: {english!r} → {korean!r} is not Korean")
    assert not bad, "\n".join(bad)


def test_a_parameter_translated_only_in_block_docs_shows_korean_in_the_inspector(
        monkeypatch, korean, qapp, make_window):
    from core.blocks import BLOCKS as registry, Block
    from core.params import Param, ParamSet

    class ProbeBlock(Block):
        type_name = "ProbeBlock"
        group = "Layers"
        params = ParamSet((Param("probe_knob", "int", 3, minimum=0, doc="How far the probe knob turns."),))

    monkeypatch.setitem(registry._items, "ProbeBlock", ProbeBlock)
    assert i18n.core_text("Probe knob") == "Probe knob"        # the .ts does not know it
    _with_probe_texts(monkeypatch)
    i18n.install(qapp, "ko")            # a language change forgets the texts read before
    assert i18n.core_text("Probe knob") == "프로브 손잡이"
    assert i18n.core_text("Units") != "Units"        # the .ts still answers first
    window = make_window()
    node = window.editor.add_block("ProbeBlock", QPointF(0, 0))
    window.scene.select_nodes([node])
    form = window.inspector.form
    assert form.labels["probe_knob"].text() == "프로브 손잡이"
    assert form.labels["probe_knob"].toolTip() == "프로브 손잡이가 도는 정도."
    assert form.widget("probe_knob").toolTip() == "프로브 손잡이가 도는 정도."
    window.document.stack.setClean()
    i18n.install(qapp, "en")
    assert i18n.core_text("Probe knob") == "Probe knob"         # English shows the English


def test_retranslate_catalogue_holds_block_docs_texts(monkeypatch):
    from designer.i18n import retranslate
    _with_probe_texts(monkeypatch)
    retranslate.catalogue.cache_clear()
    try:
        pairs = dict(retranslate.catalogue("ko"))
        assert pairs["Probe knob"] == "프로브 손잡이"
        assert retranslate.Swapper("ko", "en")("프로브 손잡이") == "Probe knob"
    finally:
        retranslate.catalogue.cache_clear()


def _tr_calls(tree: ast.AST):
    """(line, first text argument) of tr()/_tr()/self.tr()/QCoreApplication.translate() calls."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if name in ("tr", "_tr") and node.args:
            arg = node.args[-1] if len(node.args) == 2 and name == "tr" and not isinstance(f, ast.Attribute) \
                else node.args[0]
            yield node.lineno, arg
        elif name == "translate" and len(node.args) >= 2 and isinstance(f, ast.Attribute) \
                and getattr(f.value, "id", "") == "QCoreApplication":
            yield node.lineno, node.args[1]


def test_every_text_passed_to_tr_is_a_literal_that_reaches_the_ts():
    """A tr() that lupdate cannot read (an f-string, a variable, an unknown alias) would stay
    English forever: every call must pass a literal that the .ts holds."""
    sources = {m["source"] for m in update.messages(TS)}
    bad = []
    for path in update.source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, arg in _tr_calls(tree):
            where = f"{path.relative_to(ROOT)}:{line}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value not in sources:
                    bad.append(f"{where}: {arg.value!r} is not in {TS.name}")
            elif isinstance(arg, ast.JoinedStr):
                bad.append(f"{where}: an f-string inside tr() cannot be translated")
    assert not bad, "\n".join(bad)


def test_the_shipped_qm_translates_every_message_of_the_ts(qapp):
    """The .qm is compiled from the current .ts (lrelease ran after the last edit)."""
    tr = i18n.FallbackTranslator()
    assert tr.load(str(i18n.qm_path("ko")))
    stale = []
    for ctx in ET.parse(TS).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            want = m.find("translation").text
            got = tr.translate(name or "AnyContext", m.findtext("source"))
            if got != want:
                stale.append((name, m.findtext("source"), got, want))
    assert not stale, f"{len(stale)} message(s) differ: recompile with python -m designer.i18n.update; {stale[:5]}"


def test_module_level_tr_helpers_find_their_translation_through_the_fallback(qapp, korean):
    from designer import actions, param_form
    assert actions.tr("&File") == "파일(&F)"              # context MainWindow, filed under ""
    assert param_form.tr("convention") == "관례"
    assert i18n.core_text("Learning rate") == "학습률"     # core's help texts, generated strings
    assert QCoreApplication.translate("Nowhere", "not a message") == "not a message"


# ---- a Korean window ---------------------------------------------------------------------------
def test_a_korean_window_shows_no_english_in_menus_toolbars_and_docks(korean, make_window):
    window = make_window()
    assert window.install_dashboard()
    QApplication.processEvents()
    texts = visible_texts(window)
    assert len(texts) > 80              # the walk really saw the menus and docks
    assert ("menu bar", "파일(&F)") in texts
    english = _english_texts(window)
    assert not english, "untranslated:\n" + "\n".join(f"{w}: {t!r}" for w, t in english)


def test_the_walk_catches_an_english_label(korean, make_window):
    """The check above can fail: an English label in a dock is reported."""
    from PySide6.QtWidgets import QLabel
    window = make_window()
    QLabel("Batch size", window.docks["training"].widget())
    assert any(t == "Batch size" for _w, t in _english_texts(window))


def test_block_explanations_and_examples_follow_the_language(korean, make_window):
    window = make_window()
    tip = window.palette.block_items["BatchNorm"].toolTip(0)
    assert "배치 정규화(Batch Normalization)" in tip
    names = [a.text() for a in window.examples_menu.actions()]
    assert "손글씨 숫자 MLP" in names and "Digits MLP" not in names
    window.open_example(str(ROOT / "resources" / "examples" / "xor.json"))
    window.show_description()
    assert "퍼셉트론" in window.banner_text.text()
    window.document.stack.setClean()


# ---- switching -----------------------------------------------------------------------------------
def test_preferences_switch_the_language_in_place_keeping_the_design(qapp, make_window, settings):
    from designer.preferences import PreferencesDialog, _apply
    locale = QLocale()
    window = make_window()
    try:
        assert window.install_dashboard()       # its plots' titles and axes switch too
        node = window.editor.add_block("Dense", QPointF(0, 0))
        steps, graph = window.document.stack.count(), window.document.graph
        assert ("menu bar", "&File") in visible_texts(window)
        dialog = PreferencesDialog(settings, window)
        dialog.language.setCurrentIndex(dialog.language.findData("ko"))
        _apply(window, dialog)
        assert settings.value(i18n.SETTING_KEY) == "ko"
        assert i18n.current_language() == "ko"
        texts = visible_texts(window)
        assert ("menu bar", "파일(&F)") in texts and ("dock title", "학습") in texts
        assert any(w.startswith("plot") and "에포크" == t for w, t in texts)
        english = _english_texts(window)
        assert not english, english
        # the same document, the same undo history, the block still there
        assert window.document.graph is graph and node in graph.nodes
        assert window.document.stack.count() == steps
        assert window.docks["inspector"].widget() is window.inspector
        dialog.language.setCurrentIndex(dialog.language.findData("en"))
        _apply(window, dialog)
        texts = visible_texts(window)
        assert ("menu bar", "&File") in texts and ("dock title", "Training") in texts
        assert not any(i18n_walk_hangul(t) for _w, t in texts), "Korean left after switching back"
    finally:
        i18n.install(qapp, "en")
        QLocale.setDefault(locale)
        window.document.stack.setClean()


def i18n_walk_hangul(text: str) -> bool:
    from .i18n_walk import HANGUL
    return bool(HANGUL.search(text))


def test_preferences_dialog_lists_system_english_and_korean(make_window, settings):
    from designer.preferences import PreferencesDialog
    window = make_window()
    dialog = PreferencesDialog(settings, window)
    assert [dialog.language.itemData(i) for i in range(dialog.language.count())] == ["", "en", "ko"]
    assert dialog.language.itemText(2) == "한국어"
    assert window.actions_.preferences in window.menuBar().actions()[1].menu().actions()
    dialog.reject()
    assert dialog.result() == QDialog.Rejected


def _run_app(tmp_path, *args, lang_env="C.UTF-8"):
    code = ("import sys; from designer.app import create_app; from designer import i18n; "
            "from PySide6.QtCore import QSettings; "
            "lang = None if sys.argv[1] == '-' else sys.argv[1]; "
            "app = create_app(language=lang); "
            "print(i18n.current_language(), repr(QSettings().value('ui/language')), "
            "QSettings().fileName().startswith(sys.argv[2]))")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               HOME=str(tmp_path), LANG=lang_env, LC_ALL=lang_env, LANGUAGE="")
    out = subprocess.run([sys.executable, "-c", code, *args, str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_lang_flag_is_applied_and_remembered_and_the_locale_is_the_default(tmp_path):
    from designer.launch import _language, gui_parser
    assert _language(gui_parser().parse_args(["--lang", "ko"]).lang) == "ko"
    assert _language(gui_parser().parse_args(["--lang", "system"]).lang) == ""
    assert _run_app(tmp_path / "a", "-") == ["en", "None", "True"]          # C locale: English
    assert _run_app(tmp_path / "a", "ko") == ["ko", "'ko'", "True"]         # --lang ko
    assert _run_app(tmp_path / "a", "-") == ["ko", "'ko'", "True"]          # remembered
    assert _run_app(tmp_path / "b", "-", lang_env="ko_KR.UTF-8")[0] == "ko"  # system locale


def test_korean_selects_an_installed_hangul_font(qapp, korean, caplog):
    family = i18n.hangul_font_family()
    if family is None:      # no Hangul font on this machine: the app says which package to install
        caplog.clear()
        i18n.install(qapp, "ko")
        assert "fonts-noto-cjk" in caplog.text
    else:
        assert family in qapp.font().families()
        i18n.install(qapp, "en")
        assert family not in qapp.font().families()
        i18n.install(qapp, "ko")


def test_translator_returns_none_for_misses_so_qt_falls_back(qapp):
    tr = i18n.FallbackTranslator()
    assert tr.load(str(i18n.qm_path("ko")))
    assert tr.translate("MainWindow", "&File") == "파일(&F)"
    assert tr.translate("MainWindow", "no such text") is None
    # a context lupdate guessed wrong (`panel.tr(...)` files it under "panel"): the catalogue of
    # the .ts finds the text under any context
    assert tr.translate("StepThroughPanel", "Training split") is None
    assert tr.load_with_catalogue(i18n.qm_path("ko"))
    assert tr.translate("StepThroughPanel", "Training split") == "학습 세트"
    assert isinstance(QTranslator(), QTranslator)


def test_core_problems_reach_the_window_in_korean(korean, make_window):
    """core's English reasons are re-worded: a dangling port on the canvas, in the inspector and
    in the problems list; a parameter out of range in the form."""
    from core.graph import DanglingPortError
    from designer.i18n.messages import localize_error, translate_reason
    window = make_window()
    node = window.editor.add_block("Dense", QPointF(0, 0))
    window.scene.refresh()
    reasons = [p.reason for p in window.scene.problems if p.node_id == node]
    assert "입력 포트 0이(가) 연결되지 않았습니다" in reasons
    err = localize_error(DanglingPortError("input port 1 is not connected", "add1", "merge"))
    assert str(err) == "노드 'add1' (merge): 입력 포트 1이(가) 연결되지 않았습니다"
    assert err.node_id == "add1" and isinstance(err, DanglingPortError)
    assert translate_reason("Dense expects an integer `units`. Received: units=1.5") == \
        "Dense `units`에는 정수가 필요합니다. 받은 값: units=1.5"
    assert translate_reason("expects `batch_size` >= 1. Received: batch_size=0") == \
        "`batch_size`은(는) >= 1이어야 합니다. 받은 값: batch_size=0"
    assert translate_reason("something core says that no pattern knows") == \
        "something core says that no pattern knows"
    window.document.stack.setClean()


def test_how_a_run_ended_is_told_in_korean(korean):
    from designer.i18n.messages import translate_reason
    assert translate_reason("Trained 30 epochs.") == "30 에포크 학습을 마쳤습니다."
    said = translate_reason("Early stopping: val_loss did not improve for 5 epochs; best 0.1234 at epoch 7 "
                            "(weights restored from epoch 7, the best)")
    assert said.startswith("조기 종료: val_loss이(가) 5 에포크") and "에포크 7의 가중치로" in said
