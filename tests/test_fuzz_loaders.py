"""Property-based fuzzing of the weights and CSV loaders (hypothesis): more than 1,000 generated
files each, and the only exception ever raised is the project's own (NetDesignerError).

Weights: valid archives with mutated metadata, arrays of wrong shapes and dtypes, truncated and
bit-flipped archives, random bytes — through ``load_weights`` and ``Model.load_weights`` (which
also builds the scaler and epoch count from the metadata). CSV: grids of awkward cells (non-ASCII
digits, digit separators, huge exponents, decimal commas, quotes, missing tokens), random options,
and random bytes — through ``sniff_csv`` and ``load_csv``.
"""
import io
import json
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.dataio import load_csv, sniff_csv
from core.designfile import Design
from core.errors import NetDesignerError
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training
from core.weights import META_KEY, load_weights

FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def model():
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Dense", {"units": 3}, node_id="d")
    g.connect("x", "d")
    return Model(Design(g, validate_training({"loss": {"name": "mse", "params": {}}}),
                        validate_data({"name": "xor", "params": {"n": 16}})))


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as d:
        yield d


def _only_our_errors(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except NetDesignerError:
        pass


def _npz_bytes(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _good_arrays(model) -> dict:
    return {k: np.ascontiguousarray(v) for k, v in model.executor.get_weights().items()}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)
META_KEYS = ["format", "version", "epoch", "dtype", "design_hash", "metrics", "scaler", "task",
             "feature_names", "class_names", "design_name"]


@st.composite
def metadata_bytes(draw):
    meta = {"format": "netdesigner-weights", "version": 1, "epoch": 3, "dtype": "float64",
            "scaler": {"kind": "standard", "offset": [0.0, 0.0], "scale": [1.0, 1.0]}}
    for key in draw(st.lists(st.sampled_from(META_KEYS), max_size=3)):
        if draw(st.booleans()):
            meta[key] = draw(json_values)
        else:
            meta.pop(key, None)
    if draw(st.booleans()) and isinstance(meta.get("scaler"), dict):
        sub = draw(st.sampled_from(["kind", "offset", "scale"]))
        meta["scaler"] = {**meta["scaler"], sub: draw(json_values)}
    text = json.dumps(meta, allow_nan=True)
    if draw(st.booleans()):                                 # raw JSON oddities: deep, long, cut
        text = draw(st.sampled_from([text[: len(text) // 2], "[" * 5000 + "]" * 5000,
                                     text.replace("3", "9" * 5000, 1), text + "garbage", "Infinity"]))
    return text.encode("utf-8", "surrogatepass")


@given(meta=metadata_bytes())
@FUZZ
def test_fuzz_weights_metadata(model, scratch, meta):
    arrays = _good_arrays(model)
    arrays[META_KEY] = np.frombuffer(meta, np.uint8)
    p = os.path.join(scratch, "meta.npz")
    with open(p, "wb") as f:
        f.write(_npz_bytes(arrays))
    _only_our_errors(model.load_weights, p)


dtypes = st.sampled_from(["<f4", ">f8", "<f2", "<i4", "|u1", "|b1", "<c8", "<U3", "|S2", "<m8[s]",
                          "<M8[D]", [("a", "<f4"), ("b", "<i2")]])


@given(data=st.data())
@FUZZ
def test_fuzz_weights_shapes_and_dtypes(model, scratch, data):
    arrays = _good_arrays(model)
    for name in data.draw(st.lists(st.sampled_from(["d/kernel", "d/bias", "other/w", META_KEY]),
                                   min_size=1, max_size=3)):
        shape = tuple(data.draw(st.lists(st.integers(0, 4), max_size=3)))
        arrays[name] = np.zeros(shape, dtype=np.dtype(data.draw(dtypes)))
    p = os.path.join(scratch, "shapes.npz")
    with open(p, "wb") as f:
        f.write(_npz_bytes(arrays))
    _only_our_errors(load_weights, p)
    _only_our_errors(model.load_weights, p)


@given(data=st.data())
@FUZZ
def test_fuzz_weights_truncated_and_flipped(model, scratch, data):
    raw = bytearray(_npz_bytes({**_good_arrays(model),
                                META_KEY: np.frombuffer(b'{"format": "netdesigner-weights", "version": 1}',
                                                        np.uint8)}))
    if data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    for _ in range(data.draw(st.integers(0 if len(raw) else 0, 4 if len(raw) else 0))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    p = os.path.join(scratch, "cut.npz")
    with open(p, "wb") as f:
        f.write(bytes(raw))
    _only_our_errors(model.load_weights, p)


@given(raw=st.one_of(st.binary(max_size=600), st.binary(max_size=600).map(lambda b: b"PK\x03\x04" + b),
                     st.binary(max_size=200).map(lambda b: b"\x93NUMPY\x01\x00" + b)))
@FUZZ
def test_fuzz_weights_random_bytes(model, scratch, raw):
    p = os.path.join(scratch, "random.npz")
    with open(p, "wb") as f:
        f.write(raw)
    _only_our_errors(model.load_weights, p)


# ---- CSV ----------------------------------------------------------------------------------------

CELLS = ["0", "1", "-2.5", "3e2", "1e300", "-1e39", "4e38", "inf", "-inf", "nan", "NA", "", "?", "null",
         "١٢٣", "１２", "1_000", "1,5", "2.5.1", " 7 ", "abc", "cat", "dog", '"x,y"', '"', "1e", ".5", "5.",
         "+3", "--1", "0x10", "\u202e1", "é", "1;2", "\t", "TRUE"]


ODD_CHARS = "0123456789.,;-+eE \t\"'_١٢３é\u202e\x00\r\nNAnaif"


def csv_text(seed: int) -> str:
    """A CSV of awkward cells built from one drawn seed: one hypothesis draw per file keeps the
    generation cheap (cell-by-cell draws cost more than the loader)."""
    import random
    rng = random.Random(seed)
    n_cols, n_rows = rng.randint(1, 5), rng.randint(0, 15)
    delim = rng.choice([",", ";", "\t", "|", " "])

    def cell():
        kind = rng.random()
        if kind < 0.6:
            return rng.choice(CELLS)
        if kind < 0.75:
            return repr(rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-300, 300))
        if kind < 0.9:
            return str(rng.randint(-10**6, 10**6))
        return "".join(rng.choice(ODD_CHARS) for _ in range(rng.randint(0, 4)))

    lines = []
    if rng.random() < 0.5:
        lines.append(delim.join(rng.choice(["a", "b", "id", "", "y", "index", "é"]) for _ in range(n_cols)))
    for _ in range(n_rows):
        width = n_cols if rng.random() < 0.9 else rng.randint(0, n_cols + 2)    # some ragged rows
        lines.append(delim.join(cell() for _ in range(width)))
    end = rng.choice(["\n", "\r\n", "\r"])
    return end.join(lines) + (end if rng.random() < 0.5 else "")


options = st.fixed_dictionaries({}, optional={
    "missing": st.sampled_from(["error", "drop", "mean"]),
    "task": st.sampled_from([None, "auto", "classification", "binary", "multiclass", "regression"]),
    "decimal": st.sampled_from([".", ","]),
    "header": st.sampled_from([None, True, False]),
    "delimiter": st.sampled_from([None, ",", ";"]),
    "encoding": st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16"]),
    "target": st.sampled_from([None, 0, -1, "y", 7]),
})


@given(seed=st.integers(0, 2**32 - 1), opts=options, encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
@settings(max_examples=650, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_fuzz_csv(scratch, seed, opts, encoding):
    text = csv_text(seed)
    p = os.path.join(scratch, "f.csv")
    with open(p, "wb") as f:
        f.write(text.encode(encoding, "replace"))
    _only_our_errors(sniff_csv, p, **{k: v for k, v in opts.items() if k in ("delimiter", "header", "decimal",
                                                                               "encoding")})
    _only_our_errors(load_csv, p, **opts)


@given(raw=st.binary(max_size=400), opts=options)
@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_fuzz_csv_random_bytes(scratch, raw, opts):
    p = os.path.join(scratch, "b.csv")
    with open(p, "wb") as f:
        f.write(raw)
    _only_our_errors(load_csv, p, **opts)
