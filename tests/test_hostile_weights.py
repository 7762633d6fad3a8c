"""Hostile weights files: each is refused with one WeightsError naming the file (and the field or
entry), before any large allocation — never a Type/Key/Value/Overflow/Recursion/MemoryError.

Memory is asserted with tracemalloc (numpy reports its allocations to it): the old loader
allocated the size a header claimed before looking at it."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

from core.designfile import Design, save_design
from core.errors import WeightsError
from core.export import read_weights_file
from core.finetune import load_matching_weights
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training
from core.weights import META_KEY, load_weights, read_weights_index, save_weights
from hostile_helpers import MiB, fifo_with_writers, npy_header, peak_mib


def tiny_design() -> Design:
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Dense", {"units": 3}, node_id="d")
    g.connect("x", "d")
    return Design(g, validate_training({"loss": {"name": "mse", "params": {}}, "epochs": 1}),
                  validate_data({"name": "xor", "params": {"n": 16}}))


@pytest.fixture
def model():
    return Model(tiny_design())


def _weights_with_meta(path, model, meta_bytes: bytes):
    arrays = {k: np.ascontiguousarray(v) for k, v in model.executor.get_weights().items()}
    arrays[META_KEY] = np.frombuffer(meta_bytes, np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())
    return path


def _meta(**fields) -> bytes:
    return json.dumps({"format": "netdesigner-weights", "version": 1, **fields}).encode()


# ---- metadata: every field NetDesigner reads back is checked ------------------------------------

@pytest.mark.parametrize("meta, field", [
    (_meta(epoch="many"), "epoch"),
    (b'{"format": "netdesigner-weights", "version": 1, "epoch": Infinity}', "epoch"),
    (b'{"format": "netdesigner-weights", "version": 1, "epoch": 1e400}', "epoch"),
    (_meta(epoch=-3), "epoch"),
    (_meta(epoch=2.5), "epoch"),
    (_meta(epoch=True), "epoch"),
    (_meta(scaler={"offset": [0, 0], "scale": [1, 1]}), "scaler.kind"),
    (_meta(scaler={"kind": "standard", "scale": [1, 1]}), "scaler.offset"),
    (_meta(scaler={"kind": "standard", "offset": "0", "scale": [1, 1]}), "scaler.offset"),
    (_meta(scaler={"kind": "standard", "offset": [0, 0], "scale": [1, 0]}), "scaler.scale"),
    (_meta(scaler={"kind": "standard", "offset": [0], "scale": [1, 1]}), "scaler.scale"),
    (b'{"format": "netdesigner-weights", "version": 1, "scaler": {"kind": "standard", '
     b'"offset": [NaN, 0], "scale": [1, 1]}}', "scaler.offset"),
    (_meta(scaler={"kind": "robust", "offset": [0, 0], "scale": [1, 1]}), "scaler.kind"),
    (_meta(scaler=[1, 2]), "scaler"),
    (_meta(metrics=[0.5]), "metrics"),
    (_meta(metrics={"loss": "low"}), "metrics.loss"),
    (_meta(dtype="float8"), "dtype"),
    (_meta(design_hash=12), "design_hash"),
    (_meta(class_names="cat"), "class_names"),
    (_meta(task="clustering"), "task"),
    (json.dumps({"version": 1}).encode(), "format"),
    (json.dumps({"format": "netdesigner-weights"}).encode(), "version"),
    (_meta(version="1"), "version"),
    (json.dumps({"format": "netdesigner-weights", "version": 99}).encode(), "version"),
])
def test_bad_metadata_field_is_named(tmp_path, model, meta, field):
    p = _weights_with_meta(tmp_path / "w.npz", model, meta)
    with pytest.raises(WeightsError) as err:
        model.load_weights(p)
    assert err.value.file == str(p)
    assert f"metadata field {field!r}" in str(err.value)


@pytest.mark.parametrize("meta, words", [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"format": "netdesigner-weights", "version": 1, "epoch": ' + b"9" * 5000 + b"}", "not valid JSON"),
], ids=["100k-deep", "5000-digit-epoch"])
def test_deep_or_huge_json_is_refused(tmp_path, model, meta, words):
    p = _weights_with_meta(tmp_path / "w.npz", model, meta)
    with pytest.raises(WeightsError, match=words) as err:
        model.load_weights(p)
    assert err.value.file == str(p)


def test_valid_metadata_still_loads(tmp_path, model):
    p = tmp_path / "w.npz"
    model.trained_epochs = 12
    model.save_weights(p)
    fresh = Model(tiny_design())
    meta = fresh.load_weights(p)
    assert meta["epoch"] == 12 and fresh.trained_epochs == 12


# ---- not a weights archive ----------------------------------------------------------------------

def test_npy_renamed_npz_is_named_as_such(tmp_path):
    p = tmp_path / "w.npz"
    np.save(tmp_path / "w.npy", np.ones(3))
    os.replace(tmp_path / "w.npy", p)
    with pytest.raises(WeightsError, match="single .npy array") as err:
        load_weights(p)
    assert err.value.file == str(p)


@pytest.mark.parametrize("content", [b"hello,world\n1,2\n", b"\x80\x04K\x01.", b"#!/bin/sh\necho hi\n"])
def test_text_or_pickle_named_npz_never_suggests_allow_pickle(tmp_path, content):
    p = tmp_path / "w.npz"
    p.write_bytes(content)
    with pytest.raises(WeightsError) as err:
        load_weights(p)
    message = str(err.value).replace(str(p), "FILE")      # the temp folder's name says pickle
    assert "allow_pickle" not in message and "pickle" not in message.lower()
    assert err.value.file == str(p)


def _zip(path, members: dict[str, bytes], compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_header_claiming_a_terabyte_is_refused_before_allocating(tmp_path):
    p = _zip(tmp_path / "w.npz", {"d/kernel.npy": npy_header((10**12,)) + b"\0" * 64})

    def load():
        with pytest.raises(WeightsError, match="claims shape") as err:
            load_weights(p)
        assert "d/kernel" in str(err.value)
    assert peak_mib(load) < 8


def _zip_bomb(path, nbytes: int):
    """One deflated entry: a valid float64 header then `nbytes` zeros (compresses ~1000×)."""
    info = zipfile.ZipInfo("d/kernel.npy")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as zf, zf.open(info, "w", force_zip64=True) as f:
        f.write(npy_header((nbytes // 8,)))
        zeros = bytes(MiB)
        for _ in range(nbytes // MiB):
            f.write(zeros)
    return path


def test_zip_bomb_is_refused_from_its_directory_without_inflating(tmp_path):
    p = _zip_bomb(tmp_path / "bomb.npz", 48 * MiB)
    assert p.stat().st_size < MiB            # the premise: a small file that inflates 48 MiB

    def load():
        with pytest.raises(WeightsError, match="zip bomb") as err:
            read_weights_file(p)
        assert err.value.file == str(p)
    assert peak_mib(load) < 8


def test_misfit_archive_is_refused_from_its_headers_before_reading(tmp_path, model):
    """With the design's shapes known, a large array of the wrong shape is never read."""
    big = np.zeros((2000, 3000))                       # 48 MB, stored (not a bomb)
    p = tmp_path / "w.npz"
    save_weights(p, {"d/kernel": big, "d/bias": np.zeros(3)})

    def load():
        with pytest.raises(WeightsError, match="do not fit") as err:
            model.load_weights(p)
        assert any("d/kernel" in m and "(2000, 3000)" in m for m in err.value.mismatches)
        assert err.value.file == str(p)
    assert peak_mib(load) < 8


def test_finetune_reads_only_the_arrays_that_fit(tmp_path, model):
    good = model.executor.get_weights()
    p = tmp_path / "w.npz"
    save_weights(p, {"d/bias": good["d/bias"] + 1, "d/kernel": np.zeros((2000, 3000)),
                     "other/kernel": np.zeros((1000, 1000))})

    def load():
        report = load_matching_weights(model, p)
        assert report.loaded == ["d/bias"]
        assert any("(2000, 3000)" in m for m in report.mismatched)
        assert any("other/kernel" in u and "(1000, 1000)" in u for u in report.unexpected)
    assert peak_mib(load) < 8
    np.testing.assert_array_equal(model.executor.get_weights()["d/bias"], good["d/bias"] + 1)


def test_index_reads_shapes_without_data(tmp_path):
    p = tmp_path / "w.npz"
    save_weights(p, {"a/kernel": np.zeros((4, 5), np.float32)}, {"epoch": 1})
    index = read_weights_index(p)
    assert index["a/kernel"].shape == (4, 5) and index["a/kernel"].dtype == np.float32


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.95])
def test_truncated_archive(tmp_path, cut):
    p = tmp_path / "w.npz"
    save_weights(p, {"a/kernel": np.arange(4000.0).reshape(40, 100)}, {"epoch": 1})
    data = p.read_bytes()
    p.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(WeightsError) as err:
        load_weights(p)
    assert err.value.file == str(p)


def test_corrupted_data_fails_its_crc(tmp_path):
    p = tmp_path / "w.npz"
    save_weights(p, {"a/kernel": np.arange(4000.0)}, {"epoch": 1})
    data = bytearray(p.read_bytes())
    data[2000] ^= 0xFF                         # inside the stored array, not the headers
    p.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="a/kernel"):
        load_weights(p)


def test_non_npy_member_and_integer_metadata_are_refused(tmp_path):
    p = _zip(tmp_path / "a.npz", {"README.txt": b"hi"})
    with pytest.raises(WeightsError, match="README.txt"):
        load_weights(p)
    buf = io.BytesIO()
    np.savez(buf, **{META_KEY: np.zeros(4, np.float64)})
    p.write_bytes(buf.getvalue())
    with pytest.raises(WeightsError, match="metadata entry must be bytes"):
        load_weights(p)


# ---- not a regular file -------------------------------------------------------------------------

@pytest.mark.parametrize("reader", [load_weights, read_weights_file])
def test_folder_and_device_are_refused_at_once(tmp_path, reader):
    folder = tmp_path / "w.npz"
    folder.mkdir()
    with pytest.raises(WeightsError, match="folder"):
        reader(folder)
    if os.path.exists("/dev/zero"):
        with pytest.raises(WeightsError, match="device"):
            reader("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("name", ["w.npz", "w.bin"])
def test_fifo_is_refused_without_opening_it(tmp_path, name):
    with fifo_with_writers(tmp_path / name) as fifo:
        with pytest.raises(WeightsError, match="FIFO"):
            read_weights_file(fifo)


# ---- the CLI: one line, exit 2 ------------------------------------------------------------------

def test_cli_reports_bad_epoch_in_one_line(tmp_path, model, capsys):
    from core.cli import main
    design = tmp_path / "d.json"
    save_design(tiny_design(), design)
    p = _weights_with_meta(tmp_path / "w.npz", model, _meta(epoch="many"))
    assert main(["evaluate", str(design), str(p), "--split", "val"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "'epoch'" in err and "w.npz" in err and "Traceback" not in err


# ---- .safetensors: the same fields are checked; other tools' files still load -------------------

def test_safetensors_metadata_fields_are_checked(tmp_path, model):
    st = pytest.importorskip("safetensors.numpy")
    arrays = _good_arrays_of(model)
    bad = tmp_path / "bad.safetensors"
    st.save_file(arrays, str(bad), metadata={"format": "netdesigner-weights", "version": "1", "epoch": "many"})
    with pytest.raises(WeightsError, match="metadata field 'epoch'") as err:
        model.load_weights(bad)
    assert err.value.file == str(bad)
    torch_style = tmp_path / "torch.safetensors"      # PyTorch writes {"format": "pt"}
    st.save_file(arrays, str(torch_style), metadata={"format": "pt"})
    assert model.load_weights(torch_style)["format"] == "pt"


def _good_arrays_of(model):
    return {k: np.ascontiguousarray(v) for k, v in model.executor.get_weights().items()}
