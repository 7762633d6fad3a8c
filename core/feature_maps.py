"""The feature-map payload: what the engine sends the dashboard's feature-map panel.

Plain data (no Qt, nothing computed here). Per convolutional layer, one validation sample's
output activations and the layer's kernel, both channels-last like every tensor of the engine:

- ``activations[layer]``: the layer's output for sample ``sample_index`` of the validation set,
  shape ``(H, W, C)`` — C = the layer's ``filters``. Which tensor that is (the convolution's own
  output, or the output after its activation) is the engine's choice; the panel draws what it gets.
- ``filters[layer]``: the layer's kernel, shape ``(kh, kw, C_in, filters)`` as Keras stores it.

``layer_ids`` orders the layers (input side first) and names exactly the keys of both dicts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FeatureMaps:
    layer_ids: list[str]
    activations: dict[str, np.ndarray]      # layer id → (H, W, C)
    filters: dict[str, np.ndarray]          # layer id → (kh, kw, C_in, filters)
    sample_index: int                       # index into the validation split

    def __post_init__(self):
        check_feature_maps(self)


def check_feature_maps(fm: FeatureMaps) -> None:
    """Raise ValueError naming the layer and the field when a payload breaks the contract (a bug
    in whatever built it: the panel must not guess at a wrong layout)."""
    ids = list(fm.layer_ids)
    if len(set(ids)) != len(ids):
        raise ValueError(f"FeatureMaps.layer_ids has duplicates: {ids}")
    if int(fm.sample_index) < 0:
        raise ValueError(f"FeatureMaps.sample_index must be >= 0, got {fm.sample_index}")
    for name, arrays, ndim, layout in (("activations", fm.activations, 3, "(H, W, C)"),
                                       ("filters", fm.filters, 4, "(kh, kw, C_in, filters)")):
        extra = set(arrays) - set(ids)
        if extra:
            raise ValueError(f"FeatureMaps.{name} has layers not in layer_ids: {sorted(extra)}")
        for lid in ids:
            if lid not in arrays:
                raise ValueError(f"FeatureMaps.{name} has no entry for layer '{lid}'")
            a = arrays[lid]
            if not isinstance(a, np.ndarray) or a.ndim != ndim or 0 in a.shape:
                shape = getattr(a, "shape", type(a).__name__)
                raise ValueError(f"FeatureMaps.{name}['{lid}'] must be a non-empty {layout} array, got {shape}")
    for lid in ids:
        channels, filters = fm.activations[lid].shape[2], fm.filters[lid].shape[3]
        if channels != filters:
            raise ValueError(f"FeatureMaps: layer '{lid}' has {channels} activation channels but "
                             f"{filters} filters (the output has one channel per filter)")
