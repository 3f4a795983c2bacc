"""Uncertainty bands on the contours: Monte Carlo error and model variations.

Two things move a contour that a single line hides: the Monte Carlo error of the
signal (:mod:`~muphilic.recast.bands.jackknife`: disjoint replicas of the
scalars and the jackknife over them) and the model's choices
(:mod:`~muphilic.recast.bands.variations`: named switches of the chain). The band
of a contour (:mod:`~muphilic.recast.bands.contour_band`) is the envelope of its
Monte Carlo band and of every variation's boundary;
:mod:`~muphilic.recast.bands.compute` evaluates them for a run and
:mod:`~muphilic.recast.bands.records` writes the ``run.json`` table, the CSV files
and the plot.

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.recast.bands.compute import DEFAULT_REPLICAS, compute_bands, experiment_band
from muphilic.recast.bands.contour_band import ContourBand, boundary_in_y
from muphilic.recast.bands.jackknife import (
    jackknife_rel_error,
    mc_band,
    relative_width,
    replica_samples,
)
from muphilic.recast.bands.records import (
    BAND_MASSES_MEV,
    band_file_name,
    band_legend,
    band_record,
    draw_band,
    write_band_csv,
)
from muphilic.recast.bands.variations import (
    VARIATIONS,
    BandError,
    Variation,
    default_variations,
    detection_variant,
    variation,
)

__all__ = [
    "BAND_MASSES_MEV",
    "DEFAULT_REPLICAS",
    "VARIATIONS",
    "BandError",
    "ContourBand",
    "Variation",
    "band_file_name",
    "band_legend",
    "band_record",
    "boundary_in_y",
    "compute_bands",
    "default_variations",
    "detection_variant",
    "draw_band",
    "experiment_band",
    "jackknife_rel_error",
    "mc_band",
    "relative_width",
    "replica_samples",
    "variation",
    "write_band_csv",
]
