"""Regenerate the translation files: ``python -m designer.i18n.update``.

1. ``core_strings.py`` — core's help texts (parameter names and docs, loss / optimizer / schedule
   / initializer summaries, palette groups) written out as ``QT_TRANSLATE_NOOP`` calls, so they
   are translated in the same ``.ts`` as the UI and checked by the same test — except a block's
   parameter texts that its translators keep as data (the ``"texts"`` of
   ``core/blocks/docs.<lang>.json``) and the ``.ts`` does not translate already: adding a block
   then touches neither this file nor the ``.ts``/``.qm``;
   ``hidden_strings.py`` — ``tr()`` calls inside f-strings, which lupdate does not read;
2. ``pyside6-lupdate`` over every ``designer/**/*.py`` into ``netdesigner_<lang>.ts`` — existing
   translations are kept, new strings arrive as "unfinished", vanished ones are dropped;
3. ``pyside6-lrelease`` into ``netdesigner_<lang>.qm`` (shipped as package data).

``--todo FILE`` writes the strings that still need a translation as JSON
(``[{"context", "source", "translation": ""}]``); ``--apply FILE`` fills translations from such a
file (only where ``translation`` is non-empty) before compiling. ``--check`` changes nothing and
exits 1 when the ``.ts`` is out of date or incomplete.

Source locations are left out of the ``.ts`` (``-locations none``): with them every edit of the
code would rewrite the file, and several people add strings at once. Strings of module-level
``tr(text)`` helpers land in the empty context (lupdate cannot see the helper's context);
``FallbackTranslator`` looks there at run time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

I18N_DIR = Path(__file__).resolve().parent
DESIGNER_DIR = I18N_DIR.parent
LANGUAGES = ("ko",)
CORE_STRINGS = I18N_DIR / "core_strings.py"
CORE_CONTEXT = "CoreText"
# Module-level helpers named `_tr` are `tr` with another spelling.
LUPDATE_OPTIONS = ["-tr-function-alias", "tr+=_tr", "-locations", "none", "-no-obsolete",
                   "-silent"]


def ts_path(language: str) -> Path:
    return I18N_DIR / f"netdesigner_{language}.ts"


def qt_tool(name: str) -> str:
    """pyside6-<name> from PATH, else the binary inside the PySide6 package."""
    found = shutil.which(f"pyside6-{name}")
    if found:
        return found
    import PySide6
    local = Path(PySide6.__file__).resolve().parent / name
    if local.exists():
        return str(local)
    raise SystemExit(f"error: pyside6-{name} not found (it ships with PySide6-Essentials)")


def source_files() -> list[Path]:
    return sorted(p for p in DESIGNER_DIR.rglob("*.py") if "__pycache__" not in p.parts)


# ---- core's texts ------------------------------------------------------------------------------
def core_texts() -> list[str]:
    """Every help text of core's declarations that the designer shows, in a stable order."""
    from core.blocks import BLOCKS, GROUPS
    from core.data import DATASET_PARAMS
    from core.initializers import INITIALIZER_DOCS
    from core.losses import LOSSES
    from core.optimizers import OPTIMIZERS
    from core.schedules import SCHEDULES
    from core import settings

    from ..param_form import pretty

    texts: list[str] = list(GROUPS)
    params = []
    for name in BLOCKS:
        params += list(BLOCKS.get(name).params)
    for reg in (LOSSES, OPTIMIZERS):
        for name in reg.names():
            spec = reg.get(name)
            texts.append(spec.doc)
            params += list(spec.params)
    for name, cls in SCHEDULES.items():
        texts.append(_first_line(cls.__doc__))
        params += list(cls.params)
    for plist in DATASET_PARAMS.values():
        params += list(plist)
    for attr in ("TRAINING_PARAMS", "DATA_PARAMS", "EARLY_STOPPING_PARAMS", "CHECKPOINT_PARAMS"):
        params += list(getattr(settings, attr, ()))
    for p in params:
        texts += [pretty(p.name), p.doc, p.convention]
    texts += list(INITIALIZER_DOCS.values())
    seen, out = set(), []
    for t in texts:
        if t and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def block_param_texts(block) -> list[str]:
    """The texts a block's parameters show in the inspector: each label (``pretty(name)``), doc
    and convention, and the tooltips of an initializer choice — what a docs.<lang>.json
    ``"texts"`` entry may translate."""
    from core.initializers import INITIALIZER_DOCS

    from ..param_form import pretty
    out: list[str] = []
    for p in block.params:
        out += [pretty(p.name), p.doc, p.convention]
        if p.kind == "choice" and p.name.endswith("initializer"):
            out += [INITIALIZER_DOCS[c] for c in p.choices if c in INITIALIZER_DOCS]
    return list(dict.fromkeys(t for t in out if t))


def docs_translated(language: str) -> set[str]:
    """English texts that docs.<language>.json's ``"texts"`` translate."""
    from core.blocks import block_texts
    return set(block_texts(language))


def ts_translated(language: str, context: str = CORE_CONTEXT) -> set[str]:
    """Sources with a finished translation under ``context`` in netdesigner_<language>.ts."""
    ts = ts_path(language)
    if not ts.exists():
        return set()
    return {m["source"] for m in messages(ts) if m["context"] == context and m["translation"].strip()
            and m["type"] not in ("unfinished", "obsolete", "vanished")}


def listed_core_texts() -> list[str]:
    """``core_texts()`` less the ones kept as data only: translated by docs.<lang>.json
    ``"texts"`` for every language and not already by its ``.ts`` (those stay listed, so the
    ``.ts`` never loses a translation it has)."""
    data_only = None
    for lang in LANGUAGES:
        mine = docs_translated(lang) - ts_translated(lang)
        data_only = mine if data_only is None else data_only & mine
    return [t for t in core_texts() if t not in (data_only or set())]


def untranslated_core_texts(language: str) -> list[str]:
    """Core texts the designer would show in English: neither the ``.ts`` nor a
    docs.<language>.json ``"texts"`` entry translates them."""
    done = ts_translated(language) | docs_translated(language)
    return [t for t in core_texts() if t not in done]


def _first_line(doc: str | None) -> str:
    """The same first paragraph the settings panel shows (settings_panel._first_line)."""
    return (doc or "").strip().split("\n\n")[0].replace("\n", " ")


def write_core_strings(path: Path = CORE_STRINGS) -> bool:
    """Write core_strings.py; True when it changed."""
    lines = ['"""Generated by ``python -m designer.i18n.update`` — do not edit.',
             "",
             "core's help texts, listed so that pyside6-lupdate puts them into the .ts files;",
             "``designer.i18n.core_text`` translates them at run time.",
             '"""',
             "from PySide6.QtCore import QT_TRANSLATE_NOOP",
             "",
             "CORE_TEXTS = ("]
    lines += [f"    QT_TRANSLATE_NOOP({CORE_CONTEXT!r}, {t!r})," for t in listed_core_texts()]
    lines += [")", ""]
    text = "\n".join(lines)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# ---- strings lupdate cannot see ------------------------------------------------------------------
HIDDEN_STRINGS = I18N_DIR / "hidden_strings.py"


def hidden_texts() -> list[tuple[str, str]]:
    """(context, text) of tr() calls inside f-strings, which lupdate's Python parser skips.

    ``f"<p>{self.tr('Not reached yet')}</p>"`` is translated at run time like any ``self.tr`` —
    with the enclosing class as its context — so it only needs to be in the .ts.
    """
    import ast
    out: list[tuple[str, str]] = []

    def visit(node, cls: str, in_fstring: bool) -> None:
        if isinstance(node, ast.ClassDef):
            cls = node.name
        if isinstance(node, ast.JoinedStr):
            in_fstring = True
        if in_fstring and isinstance(node, ast.Call) and node.args:
            f = node.func
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if isinstance(f, ast.Attribute) and f.attr == "tr":
                    self_call = isinstance(f.value, ast.Name) and f.value.id == "self"
                    out.append((cls if self_call else "", arg.value))
                elif isinstance(f, ast.Name) and f.id in ("tr", "_tr"):
                    out.append(("", arg.value))
        for child in ast.iter_child_nodes(node):
            visit(child, cls, in_fstring)

    for path in source_files():
        if path.parent == I18N_DIR:
            continue
        visit(ast.parse(path.read_text(encoding="utf-8")), "", False)
    return sorted(set(out))


def write_hidden_strings(path: Path = HIDDEN_STRINGS) -> bool:
    lines = ['"""Generated by ``python -m designer.i18n.update`` — do not edit.',
             "",
             "tr() calls written inside f-strings, which pyside6-lupdate does not read, listed so",
             "that they reach the .ts files (their context is the class that calls self.tr).",
             '"""',
             "from PySide6.QtCore import QT_TRANSLATE_NOOP",
             "",
             "HIDDEN_TEXTS = ("]
    lines += [f"    QT_TRANSLATE_NOOP({c!r}, {t!r})," for c, t in hidden_texts()]
    lines += [")", ""]
    text = "\n".join(lines)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# ---- .ts files ---------------------------------------------------------------------------------
def run_lupdate(ts: Path, language: str) -> None:
    cmd = [qt_tool("lupdate"), *LUPDATE_OPTIONS, *map(str, source_files()), "-target-language",
           language, "-ts", str(ts)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"error: lupdate failed: {out.stderr.strip() or out.stdout.strip()}")


def run_lrelease(ts: Path, qm: Path) -> None:
    out = subprocess.run([qt_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"error: lrelease failed: {out.stderr.strip() or out.stdout.strip()}")


def messages(ts: Path) -> list[dict]:
    """[{context, source, translation, type}] of a .ts file (type: "", "unfinished", ...)."""
    root = ET.parse(ts).getroot()
    out = []
    for ctx in root.iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            tr = m.find("translation")
            out.append({"context": name, "source": m.findtext("source") or "",
                        "translation": (tr.text or "") if tr is not None else "",
                        "type": (tr.get("type") or "") if tr is not None else ""})
    return out


def problems(ts: Path) -> list[str]:
    """Why the .ts is not a complete translation: one line per bad message."""
    bad = []
    for m in messages(ts):
        where = f"[{m['context'] or '-'}] {m['source']!r}"
        if m["type"] in ("obsolete", "vanished"):
            bad.append(f"obsolete: {where}")
        elif m["type"] == "unfinished" or not m["translation"].strip():
            bad.append(f"untranslated: {where}")
    return bad


def apply_translations(ts: Path, entries: list[dict]) -> int:
    """Fill translations from [{context, source, translation}]; returns how many were set.

    An entry with context None matches the source in any context.
    """
    by_key = {}
    for e in entries:
        if e.get("translation", "").strip():
            by_key[(e.get("context"), e["source"])] = e["translation"]
    tree = ET.parse(ts)
    count = 0
    for ctx in tree.getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            src = m.findtext("source") or ""
            text = by_key.get((name, src), by_key.get((None, src)))
            if text is None:
                continue
            tr = m.find("translation")
            if tr is None:
                tr = ET.SubElement(m, "translation")
            tr.text = text
            tr.attrib.pop("type", None)
            count += 1
    write_ts(tree, ts)
    return count


def write_ts(tree: ET.ElementTree, ts: Path) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    tmp = ts.with_suffix(".ts.tmp")
    tmp.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                   encoding="utf-8")
    os.replace(tmp, ts)


def fresh_sources(language: str) -> set[tuple[str, str]]:
    """(context, source) of every string in the code now, by lupdate into a scratch file."""
    with tempfile.TemporaryDirectory() as tmp:
        strings = Path(tmp) / "core_strings.py"
        write_core_strings(strings)
        hidden = Path(tmp) / "hidden_strings.py"
        write_hidden_strings(hidden)
        scratch = Path(tmp) / f"scratch_{language}.ts"
        files = [p for p in source_files() if p not in (CORE_STRINGS, HIDDEN_STRINGS)] + [strings, hidden]
        cmd = [qt_tool("lupdate"), *LUPDATE_OPTIONS, *map(str, files), "-target-language",
               language, "-ts", str(scratch)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"lupdate failed: {out.stderr.strip()}")
        return {(m["context"], m["source"]) for m in messages(scratch)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m designer.i18n.update", description=__doc__.splitlines()[0])
    p.add_argument("--todo", help="write the untranslated strings to this JSON file")
    p.add_argument("--apply", help="fill translations from this JSON file")
    p.add_argument("--check", action="store_true", help="only report; exit 1 when not up to date")
    args = p.parse_args(argv)
    status = 0
    for lang in LANGUAGES:
        ts = ts_path(lang)
        if args.check:
            have = {(m["context"], m["source"]) for m in messages(ts)} if ts.exists() else set()
            now = fresh_sources(lang)
            for c, s in sorted(now - have):
                print(f"{ts.name}: missing [{c or '-'}] {s!r}")
            for c, s in sorted(have - now):
                print(f"{ts.name}: no longer in the code [{c or '-'}] {s!r}")
            bad = problems(ts) if ts.exists() else []
            for line in bad:
                print(f"{ts.name}: {line}")
            status |= int(bool(now ^ have or bad))
            continue
        write_core_strings()
        write_hidden_strings()
        run_lupdate(ts, lang)
        if args.apply:
            entries = json.loads(Path(args.apply).read_text(encoding="utf-8"))
            print(f"{ts.name}: {apply_translations(ts, entries)} translation(s) applied")
        run_lrelease(ts, ts.with_suffix(".qm"))
        todo = [m for m in messages(ts) if m["type"] == "unfinished" or not m["translation"].strip()]
        total = len(messages(ts))
        print(f"{ts.name}: {total - len(todo)} of {total} strings translated")
        if args.todo:
            Path(args.todo).write_text(json.dumps(
                [{"context": m["context"], "source": m["source"], "translation": ""} for m in todo],
                ensure_ascii=False, indent=1), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
