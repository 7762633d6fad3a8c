"""Which language the designer speaks, and everything that follows from it.

The UI's strings are Qt messages (``tr()``), translated by ``netdesigner_<lang>.qm`` files that
``python -m designer.i18n.update`` regenerates from the sources. Texts that are *data* rather
than code — block explanations (``core/blocks/docs.<lang>.json``), example descriptions
(``resources/i18n/examples.<lang>.json``) and the help of core's parameters, losses,
optimizers and schedules (``core_strings.py``, generated, translated in the same ``.ts``; a
block's own parameter texts may instead be translated in its docs.<lang>.json ``"texts"``) — are
looked up here in the current language.

The choice is remembered in QSettings under ``ui/language``: ``""`` follows the system locale,
``"en"`` / ``"ko"`` force one; ``netdesigner --lang ko`` sets it.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parent
LANGUAGES = {"en": "English", "ko": "한국어"}      # code → the language's own name
SETTING_KEY = "ui/language"
CORE_CONTEXT = "CoreText"     # context of core's help texts (see core_strings.py)
# Fonts known to cover Hangul, best first (Linux packages, Windows, macOS).
HANGUL_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "Source Han Sans KR", "NanumGothic",
                "Nanum Gothic", "Malgun Gothic", "Apple SD Gothic Neo", "UnDotum", "Baekmuk Gulim")

_current = "en"


class FallbackTranslator(QTranslator):
    """A translator that also tries the empty context.

    Modules translate through a module-level ``tr(text)`` helper that calls
    ``QCoreApplication.translate("SomeContext", text)``; ``pyside6-lupdate`` cannot see that
    context and files those strings under the empty one. Looking there second finds them; core's
    vocabulary (``CoreText``: group names that the palette translates with ``self.tr(group)``)
    comes third. A miss
    returns None (a null string), so Qt — and PySide's ``self.tr``, which walks the class's MRO —
    keeps looking instead of taking an empty translation.
    """

    def translate(self, context, source_text, disambiguation=None, n=-1):
        text = super().translate(context, source_text, disambiguation, n)
        if not text and context:
            text = super().translate("", source_text, disambiguation, n)
        if not text and context != CORE_CONTEXT:     # core's vocabulary (palette group names)
            text = super().translate(CORE_CONTEXT, source_text, disambiguation, n)
        if not text:       # filed under a context lupdate guessed wrong (`panel.tr(...)`: "panel")
            text = self.any_context.get(source_text, "")
        return text or None

    any_context: dict[str, str] = {}

    def load_with_catalogue(self, qm: Path) -> bool:
        """Load the .qm, and from the .ts beside it every source → translation, whatever its
        context, for the last fallback."""
        if not self.load(str(qm)):
            return False
        self.any_context = ts_catalogue(qm.with_suffix(".ts"))
        return True


def ts_catalogue(ts: Path) -> dict[str, str]:
    """{source: finished translation} of a .ts file, the first one where contexts differ."""
    import xml.etree.ElementTree as ET
    out: dict[str, str] = {}
    try:
        root = ET.parse(ts).getroot()
    except (OSError, ET.ParseError):
        return out
    for m in root.iter("message"):
        tr = m.find("translation")
        if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete", "vanished"):
            out.setdefault(m.findtext("source") or "", tr.text)
    return out


def system_language() -> str:
    """The system locale's language if we have it, else English."""
    code = QLocale.system().name().split("_")[0]
    return code if code in LANGUAGES else "en"


def stored_choice(settings: QSettings | None = None) -> str:
    """What the user chose: "" (follow the system), or a language code."""
    value = str((settings or QSettings()).value(SETTING_KEY, "") or "")
    return value if value in LANGUAGES else ""


def resolve(choice: str) -> str:
    return choice if choice in LANGUAGES else system_language()


def current_language() -> str:
    """The language installed by the last ``install()`` ("en" before any)."""
    return _current


def qm_path(language: str) -> Path:
    return I18N_DIR / f"netdesigner_{language}.qm"


def install(app: QCoreApplication, language: str) -> str:
    """Make ``language`` (a code, or "" for the system's) the UI language of ``app``.

    Replaces the translators a previous call installed (so switching back to English really
    removes Korean), sets the default QLocale (number formats, Qt's own dialogs), selects a font
    that covers the script, and points block explanations at the same language. Returns the code
    installed. Widgets already built keep their texts: ``retranslate.retranslate_window`` swaps
    them.
    """
    global _current
    language = resolve(language)
    for old in getattr(app, "_netdesigner_translators", []):
        app.removeTranslator(old)
    installed = []
    if language != "en":
        qt = QTranslator(app)
        if qt.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
            app.installTranslator(qt)
            installed.append(qt)
        ours = FallbackTranslator(app)
        if ours.load_with_catalogue(qm_path(language)):
            app.installTranslator(ours)
            installed.append(ours)
        else:
            log.warning("no translation file %s; the UI stays in English", qm_path(language))
    app._netdesigner_translators = installed
    # Korean formats numbers and dates the Korean way; English gives back the locale there was
    # (QLocale("en") would turn a C locale into en_US behind the user's back).
    original = getattr(app, "_netdesigner_locale", None)
    if original is None:
        original = app._netdesigner_locale = QLocale()
    QLocale.setDefault(original if language == "en" else QLocale(language))
    _current = language
    _docs_texts.clear()
    _set_core_language(language)
    if hasattr(app, "setFont"):
        _select_font(app, language)
    return language


def _set_core_language(language: str) -> None:
    try:
        from core.blocks import set_docs_language
    except ImportError:     # an older core: explanations stay in English
        return
    set_docs_language(language)


def hangul_font_family() -> str | None:
    """The best installed font family that covers Hangul, or None (install fonts-noto-cjk)."""
    korean = set(QFontDatabase.families(QFontDatabase.Korean))
    for family in HANGUL_FONTS:
        if family in korean:
            return family
    return sorted(korean)[0] if korean else None


def _select_font(app, language: str) -> None:
    """Keep the UI's Latin font and put a Hangul font right behind it for Korean.

    Qt's own fallback usually finds a Hangul font too, but not always the best one (a bitmap
    Gulim or a serif font), which makes mixed Korean/English labels uneven.
    """
    font = app.font()
    base = getattr(app, "_netdesigner_base_families", None)
    if base is None:
        base = app._netdesigner_base_families = list(font.families()) or [font.family()]
    families = list(base)
    if language == "ko":
        hangul = hangul_font_family()
        if hangul is None:
            log.warning("no font with Hangul is installed; Korean text may show as boxes "
                        "(Debian/Ubuntu: apt-get install fonts-noto-cjk)")
        elif hangul not in families:
            families.append(hangul)
    font = QFont(font)
    font.setFamilies(families)
    app.setFont(font)


# ---- translated data --------------------------------------------------------------------------
def core_text(text: str) -> str:
    """A help text written in core (a parameter's label or doc, a loss's summary) in the UI's
    language: the .ts's translation, else — for a block's own parameter texts, which its
    translators keep beside its explanation — the ``"texts"`` of core/blocks/docs.<lang>.json."""
    if not text:
        return text
    translated = QCoreApplication.translate(CORE_CONTEXT, text)
    if translated == text and _current != "en":
        return docs_texts(_current).get(text, text)
    return translated


_docs_texts: dict[str, dict[str, str]] = {}     # language → merged "texts"; emptied by install()


def docs_texts(language: str) -> dict[str, str]:
    """{English: translation} of every block's ``"texts"`` in docs.<language>.json (read once per
    language installed)."""
    if language == "en":
        return {}
    if language not in _docs_texts:
        try:
            from core.blocks import block_texts
        except ImportError:     # an older core: no parameter texts as data
            return {}
        _docs_texts[language] = block_texts(language)
    return _docs_texts[language]


def _examples_dir() -> Path:
    from ..paths import examples_dir
    return examples_dir()


def example_descriptions(language: str | None = None) -> dict[str, dict[str, str]]:
    """{example file stem: {"name", "description"}} in ``language``; empty for English (the
    example files hold it)."""
    language = language or _current
    if language == "en":
        return {}
    from ..paths import resource
    path = resource("i18n", f"examples.{language}.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def example_text(stem: str, key: str, english: str, language: str | None = None) -> str:
    """An example's "name" or "description" in the UI's language (English where none is written)."""
    return example_descriptions(language).get(stem, {}).get(key) or english


def _localized(key: str, english: str, language: str | None) -> str:
    language = language or _current
    if language == "en" or not english:
        return english
    for path in sorted(_examples_dir().glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(raw, dict) and str(raw.get(key, "")).strip() == english.strip():
            return example_text(path.stem, key, english, language)
    return english


def localized_description(description: str, language: str | None = None) -> str:
    """The translation of a design's description if it is an unedited example's, else itself."""
    return _localized("description", description, language)


def localized_name(name: str, language: str | None = None) -> str:
    """The translation of a design's name if it is an example's, else itself."""
    return _localized("name", name, language)


__all__ = ["LANGUAGES", "SETTING_KEY", "FallbackTranslator", "system_language", "stored_choice",
           "resolve", "current_language", "install", "hangul_font_family", "core_text", "docs_texts",
           "example_text", "example_descriptions", "localized_description", "localized_name", "qm_path"]
