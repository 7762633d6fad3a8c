"""The concept gallery (core/gallery.py, resources/gallery/): every experiment loads, covers the
course's topics, explains itself in English and Korean, and — trained headless as its designs say —
shows the effect it claims. The claims' bounds come from theory, stated in each claim's "why" and in
the experiment's explanation (e.g. seven sigmoid layers scale a gradient by at most (¼·‖W‖)⁷; an
all-zero ReLU net can only learn its output bias, so its loss stays at ln 2 on balanced classes;
a product of linear layers is linear, and no straight line gets more than ~2/3 of two concentric
circles right; restoring the best epoch of the same trajectory cannot end worse than its end)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.gallery import (GALLERY_DIR, TOPICS, ExperimentError, check_claims, list_experiments,
                          load_experiment, load_gallery, run_experiment)
from core.runs import diff_designs

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
GLOSSARY = json.loads((ROOT / "resources" / "i18n" / "glossary.json").read_text(encoding="utf-8"))["terms"]
EXPERIMENTS = list_experiments()
COURSE_TOPICS = {"activations", "initializers", "vanishing and exploding gradients", "normalization",
                 "dropout", "L1 and L2", "optimizers", "learning-rate schedules", "LR range test",
                 "early stopping", "batch size", "bias and variance", "residual connections", "fine-tuning",
                 "k-fold", "metrics"}


def test_the_gallery_covers_every_course_topic_with_at_least_15_experiments():
    gallery = load_gallery()
    assert len(gallery) >= 15
    assert {e.topic for e in gallery} == COURSE_TOPICS == set(TOPICS)
    for e in gallery:
        assert len(e.variants) >= 2 and e.claims


@pytest.mark.parametrize("folder", EXPERIMENTS, ids=lambda p: p.name)
def test_experiment_texts_are_english_and_korean_using_the_glossary(folder):
    e = load_experiment(folder)
    texts = [e.title, e.explanation] + [v.label for v in e.variants] + [c.why for c in e.claims]
    for t in texts[:2] + [c.why for c in e.claims]:
        assert HANGUL.search(t["ko"]) and t["ko"] != t["en"]
    en = (e.title["en"] + " " + e.explanation["en"]).lower()
    en = en.replace("normalisation", "normalization").replace("initialisation", "initialization")
    ko = e.title["ko"] + " " + e.explanation["ko"]
    for term in ("gradient", "learning rate", "overfitting", "weight", "loss", "validation", "epoch",
                 "batch normalization", "layer normalization", "early stopping", "dropout",
                 "residual connection", "vanishing gradient", "optimizer", "accuracy", "data set"):
        if re.search(rf"\b{term}", en):
            assert GLOSSARY[term] in ko, f"{folder.name}: {term!r} should be {GLOSSARY[term]!r} in Korean"


@pytest.mark.parametrize("folder", EXPERIMENTS, ids=lambda p: p.name)
def test_variants_differ_only_where_they_say_and_share_seed_and_split(folder):
    e = load_experiment(folder)
    base = e.variants[0].design
    for v in e.variants[1:]:
        diff = diff_designs(base.to_dict(), v.design.to_dict())
        assert diff, f"{v.name} is identical to {e.variants[0].name}"
        assert v.design.training["seed"] == base.training["seed"]
        assert v.design.data["seed"] == base.data["seed"]


def test_every_experiment_shows_the_effect_it_claims():
    """Trains every variant of every experiment (about 10 s for the whole gallery here)."""
    failures, checked = [], 0
    for e in load_gallery():
        outcomes = run_experiment(e)
        for result in check_claims(e, outcomes):
            checked += 1
            if not result.holds:
                failures.append(f"{e.slug}: {result.describe()}")
        for name, o in outcomes.items():      # every run is a complete run record for the compare view
            assert o.record.history["loss"] and o.record.design_hash == o.model.design.structure_hash()
    assert checked >= 30
    assert not failures, "\n".join(failures)


def test_a_claim_that_is_false_is_reported_false():
    """The checker can fail: swap the two sides of the He-versus-zeros claim."""
    e = load_experiment(GALLERY_DIR / "02_initializers_he_vs_zeros")
    outcomes = run_experiment(e)
    claim = e.claims[0]
    claim.a, claim.b = claim.b, claim.a
    assert not check_claims(e, outcomes)[0].holds


@pytest.mark.parametrize("edit, where", [
    (lambda d: d.update(topic="astrology"), "topic"),
    (lambda d: d["title"].pop("ko"), "title"),
    (lambda d: d["variants"].pop(), "variants"),
    (lambda d: d["variants"][1].update(base="nobody"), "variants[1].base"),
    (lambda d: d["variants"][1]["changes"][0].update(param="colour"), "variants[1].changes[0]"),
    (lambda d: d["variants"][0].update(design="../../etc/passwd.json"), "variants[0].design"),
    (lambda d: d["claims"][0].update(quantity="magic"), "claims[0].quantity"),
    (lambda d: d["claims"][0].update(relation="≈"), "claims[0].relation"),
    (lambda d: d["claims"][0].update(a="nobody"), "claims[0]"),
])
def test_a_broken_experiment_is_a_clear_error(tmp_path, edit, where):
    src = GALLERY_DIR / "02_initializers_he_vs_zeros"
    dst = tmp_path / "x"
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    doc = json.loads((dst / "experiment.json").read_text(encoding="utf-8"))
    edit(doc)
    (dst / "experiment.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ExperimentError) as info:
        load_experiment(dst)
    assert where in str(info.value) and "experiment.json" in str(info.value)
