"""Muons that stop in the walls: their straight paths through the layers of material.

A muon that leaves the open radius of an aperture or of the decay pipe
(:mod:`muphilic.beamline.geometry`) enters the material around it. A facility
file describes that material as coaxial layers (``wall_materials``,
``wall_radii_mm``; BNB: the G4BNB concrete tube around the pipe and the dolomite
around it, the steel pile, the concrete cave and the dolomite around the target
hall). From the point where the muon hits the wall it flies straight on (multiple
scattering neglected, as in the dump), so it crosses layer k between the path
lengths where its distance from the beam axis reaches the layer's inner and outer
radius; it stops wherever its energy runs out
(:func:`muphilic.emission.muon_scattering.aim_wall_emissions`) and escapes, emitting
nothing more, if it leaves the last layer.

Approximations: the layers are infinitely long coaxial cylinders of the region the
muon hits (boxes of the GDML are replaced by cylinders of their half-widths, and a
muon at a small angle that would pass from one region's walls into the next one's,
or into the absorber, keeps the layers of the first); air gaps (``"void"``) neither
slow a muon down nor make it emit (1.2 mg/cm^3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.facility import Facility
from muphilic.beamline.materials import VOID, Material
from muphilic.constants import m_mu
from muphilic.events import MuonSample

__all__ = ["WallPaths", "beam_walls", "layer_crossings", "wall_paths"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class WallPaths:
    """Muons stopping in the walls and where their straight paths cross each layer.

    Attributes
    ----------
    muons : MuonSample
        Position where each muon hits the wall, its four-momentum and weight (per POT).
    materials : tuple of Material
        The materials the layers are made of.
    layer_material : (N, K) int array
        Index into ``materials`` of the k-th layer the muon crosses (-1: none or void).
    start, length : (N, K) arrays
        Path length from the hit point to where the muon enters layer k, and the
        path length inside it, mm (``inf`` for a muon that never leaves it).
    """

    muons: MuonSample
    materials: tuple[Material, ...]
    layer_material: NDArray[np.int64]
    start: FloatArray
    length: FloatArray

    def __len__(self) -> int:
        return len(self.muons)

    def subset(self, keep: NDArray[np.intp] | None, scale: float = 1.0) -> WallPaths:
        """The rows ``keep`` (all when None), muon weights times ``scale``."""
        if keep is None:
            return self
        mu = self.muons
        return WallPaths(
            MuonSample(
                np.take(mu.p4, keep, axis=0),
                np.take(mu.position, keep, axis=0),
                np.take(mu.weight, keep) * scale,
                np.take(mu.charge, keep),
            ),
            self.materials,
            np.take(self.layer_material, keep, axis=0),
            np.take(self.start, keep, axis=0),
            np.take(self.length, keep, axis=0),
        )

    def max_path(self) -> FloatArray:
        """Longest path each muon can have in the walls, mm: to where it stops with
        either energy-loss model (the longer), or leaves the last layer."""
        t0 = np.maximum(self.muons.p4[:, 0] - m_mu, 0.0)
        best = np.zeros(len(self))
        for model in ("constant", "bethe"):
            reach = np.zeros(len(self))
            left = t0.copy()
            for k in range(self.layer_material.shape[1]):
                idx = self.layer_material[:, k]
                seg = self.length[:, k]
                for j, mat in enumerate(self.materials):
                    sel = (idx == j) & (left > 0)
                    if not np.any(sel):
                        continue
                    r = _range(mat, model, left[sel])
                    used = np.minimum(r, seg[sel])
                    reach[sel] = self.start[sel, k] + used
                    left[sel] = _energy_left(mat, model, left[sel], r, used)
                gap = (idx < 0) & np.isfinite(seg) & (left > 0)
                reach[gap] = self.start[gap, k] + seg[gap]
            best = np.maximum(best, reach)
        return best


def _range(mat: Material, model: str, t: FloatArray) -> FloatArray:
    return t / mat.constant_dedx if model == "constant" else mat.csda_range(t)


def _energy_left(
    mat: Material, model: str, t: FloatArray, r: FloatArray, used: FloatArray
) -> FloatArray:
    """Kinetic energy after ``used`` mm of a range ``r`` (0 once stopped)."""
    rest = r - used
    if model == "constant":
        return np.where(rest > 0, rest * mat.constant_dedx, 0.0)
    grid = np.geomspace(1e-3, max(float(np.max(t)), 1e-3) * 1.001, 2001)
    return np.where(rest > 0, np.interp(rest, mat.csda_range(grid), grid), 0.0)


def layer_crossings(
    position: FloatArray, direction: FloatArray, radii: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Path lengths where straight rays from ``position`` reach the cylinders r = radii.

    Parameters
    ----------
    position : (N, 3) array
        Start points (on or inside the innermost cylinder), mm.
    direction : (N, 3) array
        Unit directions.
    radii : (K,) array
        Increasing outer radii, mm.

    Returns
    -------
    (start, length) : (N, K) arrays
        Path length to the inner boundary of each layer (the start point for the
        first) and inside it; ``inf`` where the ray never leaves (parallel to the axis).
    """
    pos = np.asarray(position, dtype=float)
    u = np.asarray(direction, dtype=float)
    a = u[:, 0] ** 2 + u[:, 1] ** 2
    b = 2.0 * (pos[:, 0] * u[:, 0] + pos[:, 1] * u[:, 1])
    c0 = pos[:, 0] ** 2 + pos[:, 1] ** 2
    radii = np.asarray(radii, dtype=float)
    c = c0[:, None] - radii[None, :] ** 2
    disc = b[:, None] ** 2 - 4.0 * a[:, None] * c
    safe_a = np.where(a > 1e-300, a, 1.0)
    s_out = (-b[:, None] + np.sqrt(np.maximum(disc, 0.0))) / (2.0 * safe_a[:, None])
    s_out = np.where((a > 1e-300)[:, None], np.maximum(s_out, 0.0), np.inf)
    s_out = np.where(c >= 0.0, 0.0, s_out)  # already outside this radius
    s_out = np.maximum.accumulate(s_out, axis=1)
    start = np.concatenate([np.zeros((len(pos), 1)), s_out[:, :-1]], axis=1)
    with np.errstate(invalid="ignore"):
        length = np.where(np.isinf(start), 0.0, s_out - start)
    return np.where(np.isinf(start), np.inf, start), length


def wall_paths(muons: MuonSample | None, facility: Facility) -> WallPaths | None:
    """The layers each wall muon crosses, from the facility's wall description.

    Returns None if there are no wall muons or the facility describes no walls.
    Muons on a region without layers are dropped.
    """
    if muons is None or len(muons) == 0 or not facility.walls:
        return None
    regions = facility.all_apertures()
    names = [m.name for m in facility.materials]
    z = muons.position[:, 2]
    z1 = np.array([r.z1 for r in regions])
    region = np.clip(np.searchsorted(z1, z, side="right") - 1, 0, len(regions) - 1)
    n_layers = max(len(w) for w in facility.walls)
    n = len(muons)
    material = np.full((n, n_layers), -1, dtype=np.int64)
    start = np.full((n, n_layers), np.inf)
    length = np.zeros((n, n_layers))
    direction = muons.p4[:, 1:] / np.linalg.norm(muons.p4[:, 1:], axis=1, keepdims=True)
    for i, layers in enumerate(facility.walls):
        sel = np.flatnonzero(region == i)
        if not layers or sel.size == 0:
            continue
        radii = np.array([r for _, r in layers])
        s0, ln = layer_crossings(muons.position[sel], direction[sel], radii)
        k = len(layers)
        start[sel, :k] = s0
        length[sel, :k] = ln
        for j, (name, _) in enumerate(layers):
            if name != VOID:
                material[sel, j] = names.index(name)
    keep = np.flatnonzero(np.any(material >= 0, axis=1))
    if keep.size == 0:
        return None
    paths = WallPaths(muons, tuple(facility.materials), material, start, length)
    return paths.subset(keep) if keep.size < n else paths


def beam_walls(sample: Any, facility: Facility | str) -> WallPaths | None:
    """:func:`wall_paths` of a beam sample's wall muons (``sample.muons_wall``).

    Parameters
    ----------
    sample : BeamSample
    facility : Facility or str
        The facility the sample was made for (a packaged name or a TOML path).
    """
    if not isinstance(facility, Facility):
        from muphilic.beamline.facility_file import load_facility

        facility = load_facility(facility)
    return wall_paths(getattr(sample, "muons_wall", None), facility)
