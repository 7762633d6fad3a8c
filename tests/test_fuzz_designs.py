"""Property-based fuzzing of the design loader (issue 11): over a thousand generated design files,
mutated from the real examples, and nothing but the project's own errors comes out.

Each example takes one example design from resources/examples and applies a few mutations at
random places: values replaced by other JSON (wrong types, huge and non-finite numbers, unicode
with bidi controls, nesting up to 100 levels), keys deleted or added, list items duplicated or
moved. The text goes through ``loads`` (the in-memory path of ``load_design``). Whatever loads
must also survive what the designer and the CLI do next — check, summary, the structure hash,
the memory estimate, saving — and save/load back to the same text.
"""
import copy
import glob
import json
import math
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.designfile import dumps, loads
from core.errors import NetDesignerError
from core.memory import estimate_memory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = [json.load(open(p, encoding="utf-8"))
            for p in sorted(glob.glob(os.path.join(ROOT, "resources", "examples", "*.json")))]
assert len(EXAMPLES) >= 5


def _locations(doc, prefix=()):
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        out.append((prefix, k))
        out += _locations(v, prefix + (k,))
    return out


LOCATIONS = [_locations(doc) for doc in EXAMPLES]


def _strings(doc, out):
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.add(k)
            _strings(v, out)
    elif isinstance(doc, list):
        for v in doc:
            _strings(v, out)
    elif isinstance(doc, str) and len(doc) < 40:
        out.add(doc)
    return out


# Ids, block types, parameter names and choices from the examples: mutations that almost make sense.
KNOWN = sorted(set().union(*(_strings(doc, set()) for doc in EXAMPLES)))

NUMBERS = st.sampled_from([0, -1, 1, 2, 3, 2**31, 2**63, -2**63, 10**30, 10**400, 1e308, -1e308, 1e-320,
                           0.5, -0.0, math.inf, -math.inf, math.nan, 1_000_000, 1_000_001])
TEXT = (st.sampled_from(KNOWN) | st.text(max_size=12)
        | st.sampled_from(["\u202eevil", "a\x00b", "\ud800", "\udc00x", "\ud83d\ude00", "١٢٣", "1_000",
                           "x" * 300, "", " ", "Dense\n", "input\u200b"]))
SCALARS = st.none() | st.booleans() | NUMBERS | st.integers() | st.floats() | TEXT
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)


@st.composite
def deep(draw):
    """A value nested 1–100 levels deep in lists or objects."""
    value = draw(SCALARS)
    for _ in range(draw(st.integers(1, 100))):
        value = [value] if draw(st.booleans()) else {draw(TEXT): value}
    return value


def _container(doc, path):
    for k in path:
        doc = doc[k]
    return doc


@st.composite
def mutated(draw):
    i = draw(st.integers(0, len(EXAMPLES) - 1))
    doc = copy.deepcopy(EXAMPLES[i])
    for _ in range(draw(st.integers(1, 4))):
        path, key = draw(st.sampled_from(LOCATIONS[i]))
        try:
            parent = _container(doc, path)
            parent[key]
        except (KeyError, IndexError, TypeError):
            continue   # an earlier mutation removed or replaced this place
        action = draw(st.sampled_from(["replace", "replace", "number", "deep", "delete", "insert",
                                       "duplicate", "move"]))
        if action == "replace":
            parent[key] = draw(JSON)
        elif action == "number":     # one number, or a list of them (a shape, a position)
            parent[key] = draw(NUMBERS | st.lists(NUMBERS, min_size=1, max_size=4))
        elif action == "deep":
            parent[key] = draw(deep())
        elif action == "delete":
            del parent[key]
        elif action == "insert" and isinstance(parent, dict):
            parent[draw(TEXT)] = draw(JSON)
        elif action == "insert":
            parent.insert(key, draw(JSON))
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif action == "move" and isinstance(parent, list) and len(parent) > 1:
            parent.insert(draw(st.integers(0, len(parent) - 1)), parent.pop(key))
    return doc


def exercise(text: str) -> None:
    """What opening a design leads to; only NetDesignerError may come out of it."""
    try:
        design = loads(text)
    except NetDesignerError:
        return
    g = design.graph
    g.check()
    g.summary()
    design.structure_hash()
    try:
        estimate_memory(g)
    except NetDesignerError:
        pass
    saved = dumps(design)
    saved.encode("utf-8")          # what save_design writes
    assert dumps(loads(saved)) == saved


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_fuzz_mutated_example_designs(doc):
    exercise(json.dumps(doc, ensure_ascii=False))     # NaN/Infinity written as JSON's extensions


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_fuzz_mutated_example_text(data):
    """Byte-level damage: a cut, a splice of JSON punctuation, numbers no float can hold."""
    text = json.dumps(EXAMPLES[data.draw(st.integers(0, len(EXAMPLES) - 1))], indent=1)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 30)))
    insert = data.draw(st.text(alphabet='{}[]",:0123456789.-eE truefalsnNIinfity\\\u202e', max_size=8)
                       | st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", "9" * 5000, "[" * 5000]))
    exercise(text[:start] + insert + text[end:])
