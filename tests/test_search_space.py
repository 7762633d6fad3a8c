"""Search spaces in the design file: strict validation with JSON paths, round trips, grids by hand,
applying a trial's values, and what a trial suggests."""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from core.designfile import dumps, load_design, loads, save_design
from core.errors import DesignFileError
from core.search_space import MAX_SEARCH_PARAMS, SearchParam, apply_values, current_value

XOR = Path(__file__).resolve().parents[1] / "resources" / "examples" / "xor.json"

UNITS = {"node": "hidden", "param": "units", "kind": "int", "low": 2, "high": 16, "log": True}
LR = {"setting": "optimizer.params.learning_rate", "kind": "float", "low": 0.001, "high": 0.1, "log": True}
BATCH = {"setting": "batch_size", "kind": "choice", "choices": [8, 16, 32]}


def doc(*search) -> dict:
    d = json.loads(XOR.read_text())
    if search:
        d["search"] = list(search)
    return d


def load(*search):
    return loads(json.dumps(doc(*search)))


def test_round_trip_keeps_every_field():
    design = load(UNITS, LR, BATCH, {"node": "hidden", "param": "use_bias", "kind": "choice",
                                     "choices": [True, False]})
    assert [sp.name for sp in design.search] == ["hidden.units", "training.optimizer.params.learning_rate",
                                                 "training.batch_size", "hidden.use_bias"]
    again = loads(dumps(design))
    assert again.search == design.search
    assert json.loads(dumps(design))["search"][0] == UNITS


def test_a_design_without_search_saves_no_search_section():
    assert "search" not in json.loads(dumps(load()))


@pytest.mark.parametrize("entry, path, words", [
    ({"node": "nope", "param": "units", "kind": "int", "low": 1, "high": 2}, "search[0].node", "no node 'nope'"),
    ({"node": "hidden", "param": "width", "kind": "int", "low": 1, "high": 2}, "search[0].param", "no parameter"),
    ({**UNITS, "low": 0}, "search[0].low", "units"),
    ({**UNITS, "high": 1, "low": 4, "log": False}, "search[0].high", "above low"),
    ({**UNITS, "kind": "float"}, "search[0].kind", "int or choice"),
    ({**UNITS, "low": 2.5}, "search[0].low", "integer"),
    ({**UNITS, "step": 2}, "search[0].step", "no step"),
    ({**LR, "low": -1.0}, "search[0].low", "learning_rate"),
    ({**LR, "high": float("inf")}, "search[0].high", "finite"),
    ({**LR, "choices": [1]}, "search[0].choices", "belongs to kind 'choice'"),
    ({**BATCH, "choices": []}, "search[0].choices", "non-empty"),
    ({**BATCH, "choices": [8, 0]}, "search[0].choices[1]", "batch_size"),
    ({**BATCH, "choices": [8, 8]}, "search[0].choices[1]", "twice"),
    ({**BATCH, "choices": [[8]]}, "search[0].choices[0]", "list"),
    ({**BATCH, "low": 1}, "search[0].low", "belongs to int and float"),
    ({"setting": "device", "kind": "choice", "choices": ["cpu"]}, "search[0].setting", "not a searchable"),
    ({"setting": "optimizer.params.momentum", "kind": "float", "low": 0.1, "high": 0.9},
     "search[0].setting", "has no parameter 'momentum'"),
    ({"node": "hidden", "setting": "batch_size", "kind": "int", "low": 1, "high": 2}, "search[0]", "either"),
    ({**UNITS, "colour": "red"}, "search[0].colour", "unknown key"),
    ({**UNITS, "log": "yes"}, "search[0].log", "true or false"),
    ({**UNITS, "kind": "bayes"}, "search[0].kind", "'int', 'float' or 'choice'"),
    ("units", "search[0]", "expected an object"),
])
def test_bad_entries_name_their_json_path(entry, path, words):
    with pytest.raises(DesignFileError) as info:
        load(entry)
    assert info.value.path == path
    assert words in info.value.reason


def test_twice_searched_and_too_many_and_not_a_list():
    with pytest.raises(DesignFileError, match=r"at search\[1\]: hidden.units is already searched by search\[0\]"):
        load(UNITS, {**UNITS, "low": 3})
    with pytest.raises(DesignFileError, match=f"at most {MAX_SEARCH_PARAMS}"):
        load(*[BATCH] * (MAX_SEARCH_PARAMS + 1))
    d = doc()
    d["search"] = {"hidden.units": [1, 2]}
    with pytest.raises(DesignFileError, match="at search: expected a list"):
        loads(json.dumps(d))


def test_grids_by_hand():
    assert SearchParam("n", "units", "int", 2, 6).grid() == [2, 3, 4, 5, 6]
    assert SearchParam("n", "units", "int", 2, 10, step=4).grid() == [2, 6, 10]
    # 1…100 on a log scale, 5 points: 1, 10^0.5, 10, 10^1.5, 100 rounded to the nearest integers.
    assert SearchParam("n", "units", "int", 1, 100, log=True).grid() == [1, 3, 10, 32, 100]
    lr = SearchParam(None, "lr", "float", 1e-4, 1e-0, log=True).grid()
    assert lr[0] == 1e-4 and lr[-1] == 1.0
    assert lr[1:4] == pytest.approx([1e-3, 1e-2, 1e-1], rel=1e-9)
    assert SearchParam(None, "x", "float", 0.0, 1.0).grid() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert SearchParam(None, "x", "float", 0.0, 0.3, step=0.1).grid() == pytest.approx([0.0, 0.1, 0.2, 0.3])
    assert SearchParam(None, "batch_size", "choice", choices=(8, 16)).grid() == [8, 16]


def test_apply_values_changes_a_copy_and_checks_values():
    design = load(UNITS, LR, BATCH)
    out = apply_values(design, {"hidden.units": 5, "training.optimizer.params.learning_rate": 0.01,
                                "training.batch_size": 8})
    assert out.graph.nodes["hidden"].params["units"] == 5
    assert out.training["optimizer"]["params"]["learning_rate"] == 0.01
    assert out.training["batch_size"] == 8
    assert design.graph.nodes["hidden"].params["units"] == 8       # the original is untouched
    assert design.training["batch_size"] == 16
    assert current_value(out, design.search[0]) == 5
    with pytest.raises(DesignFileError, match="batch_size"):
        apply_values(design, {"training.batch_size": 0})


def test_suggest_uses_the_declared_distribution():
    import optuna
    design = load(UNITS, LR, BATCH)
    trial = optuna.trial.FixedTrial({"hidden.units": 7, "training.optimizer.params.learning_rate": 0.02,
                                     "training.batch_size": 32})
    assert [sp.suggest(trial) for sp in design.search] == [7, 0.02, 32]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    t = study.ask()
    values = [sp.suggest(t) for sp in design.search]
    dists = t.distributions
    assert isinstance(dists["hidden.units"], optuna.distributions.IntDistribution) and dists["hidden.units"].log
    assert dists["training.optimizer.params.learning_rate"].log
    assert 2 <= values[0] <= 16 and 0.001 <= values[1] <= 0.1 and values[2] in (8, 16, 32)


def test_saving_drops_entries_of_deleted_nodes(tmp_path):
    design = load(UNITS, LR)
    design.graph.remove_node("hidden")
    path = tmp_path / "d.json"
    save_design(design, path)
    assert [sp.name for sp in load_design(path).search] == ["training.optimizer.params.learning_rate"]
    assert not math.isnan(copy.deepcopy(design.search[1]).low)


def test_any_json_in_the_search_section_loads_or_is_one_design_file_error():
    """Hostile search sections (fuzzed): a design loads or raises DesignFileError — never another
    exception — and what loads saves and loads back the same."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                        st.sampled_from(["hidden", "units", "int", "float", "choice", "batch_size",
                                         "optimizer.params.learning_rate", "early_stopping.patience"]))
    keys = st.sampled_from(["node", "param", "setting", "kind", "low", "high", "step", "log", "choices", "x"])
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=8)
    entries = st.dictionaries(keys, values, max_size=7)
    base = doc()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.lists(entries, max_size=3), values))
    def check(search):
        d = copy.deepcopy(base)
        d["search"] = search
        try:
            design = loads(json.dumps(d))
        except DesignFileError:
            return
        assert loads(dumps(design)).search == design.search

    check()
