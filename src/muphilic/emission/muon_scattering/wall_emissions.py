"""Scalar emission by muons that stop in the walls: compounds and layered paths.

:func:`material_slice` is the cross section per nucleus of a wall material,
averaged over its elements (their packaged tables); :func:`wall_emission_points`
draws emission points along the muons' layered paths through the walls
(:class:`muphilic.beamline.walls.WallPaths`), and :func:`aim_wall_emissions`
sends every scalar towards a sphere (e.g. a detector), as
:func:`~muphilic.emission.muon_scattering.aim_emissions` does in the dump.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike

from muphilic.beamline.materials import Material
from muphilic.beamline.walls import WallPaths
from muphilic.emission.muon_scattering.probability import (
    MassSlice,
    MuonScatteringError,
    _check_mass,
    _emission_model,
    mass_slice,
)
from muphilic.emission.muon_scattering.sampling import (
    _aim,
    _check_sphere,
    _Emissions,
    _no_emission,
    _node_frac,
)
from muphilic.events import ScalarSample

__all__ = [
    "aim_wall_emissions",
    "material_slice",
    "wall_emission_points",
]


# --------------------------------------------------------------------------------------
# muons stopping in the walls (compounds, layered paths)
# --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def material_slice(mass: float, material: Material) -> MassSlice:
    """Cross section per nucleus of a compound at ``mass``, averaged over its nuclei.

    ``sigma = sum_i f_i sigma_i`` with ``f_i`` the number fraction of element i
    (so ``material.number_density * sigma`` is the sum of ``n_i sigma_i``), each
    element with its own Z, A and form factor (default model, packaged tables);
    the cell probabilities are the same mixture, weighted ``f_i sigma_i``.
    """
    _check_mass(mass)
    frac = material.nuclei_densities / material.number_density
    slices = [mass_slice(mass, el) for el in material.elements]
    energies = slices[0].energies
    for other in slices[1:]:
        if not np.array_equal(other.energies, energies):
            raise MuonScatteringError("the elements' tables have different energy grids")
    sigma = sum(f * sl.sigma for f, sl in zip(frac, slices, strict=True))
    mix = sum(
        f * sl.sigma[:, None, None] * sl.cell_prob for f, sl in zip(frac, slices, strict=True)
    )
    norm = mix.sum(axis=(1, 2), keepdims=True)
    cp = np.divide(mix, norm, out=np.zeros_like(mix), where=norm > 0)
    return MassSlice(mass, energies, np.asarray(sigma), cp)


def wall_emission_points(
    paths: WallPaths, mass: float, rng: np.random.Generator, energy_loss: str = "constant"
) -> list[tuple[int, _Emissions]]:
    """Where the wall muons emit: per material index, the emission points and weights.

    Each muon slows down layer after layer (the layer's own dE/dx); in layer k it
    emits with the probability ``P_k = C_m(E_in) - C_m(E_out)``, ``C_m`` the
    cumulative ``n sigma / (dE/dx)`` of that material. One emission per muon: the
    layer is drawn with probability ``P_k / P``, the energy from ``sigma/(dE/dx)``
    between ``E_out`` and ``E_in``, the depth from the material's range; weight =
    muon weight times ``P = sum_k P_k``.
    """
    mats = paths.materials
    slices = [material_slice(mass, mat) for mat in mats]
    e_mu = paths.muons.p4[:, 0]
    n, n_layers = paths.layer_material.shape
    if n == 0:
        return []
    e_top = float(e_mu.max())
    models = [
        _emission_model(sl.sigma_at, e_top, mat.number_density, mat.stopping_power(energy_loss))
        for sl, mat in zip(slices, mats, strict=True)
    ]
    energy = e_mu.copy()
    e_in = np.zeros((n, n_layers))
    e_out = np.zeros((n, n_layers))
    prob = np.zeros((n, n_layers))
    for k in range(n_layers):
        idx = paths.layer_material[:, k]
        e_in[:, k] = energy
        for j, model in enumerate(models):
            sel = np.flatnonzero((idx == j) & (energy > 0))
            if sel.size == 0:
                continue
            r_in = np.interp(energy[sel], model.energy, model.range_)
            r_out = r_in - paths.length[sel, k]
            after = np.where(r_out > 0, np.interp(r_out, model.range_, model.energy), 0.0)
            after = np.minimum(after, energy[sel])
            cum = model.cumulative
            prob[sel, k] = np.maximum(
                np.interp(energy[sel], model.energy, cum, left=0.0)
                - np.interp(after, model.energy, cum, left=0.0),
                0.0,
            )
            energy[sel] = after
        e_out[:, k] = energy
    total = prob.sum(axis=1)
    keep = np.flatnonzero(total > 0)
    if keep.size == 0:
        return []
    u = rng.random(keep.size) * total[keep]
    cum_p = np.cumsum(prob[keep], axis=1)
    layer = np.minimum((cum_p <= u[:, None]).sum(axis=1), n_layers - 1)
    below = np.where(layer > 0, cum_p[np.arange(keep.size), layer - 1], 0.0)
    mat_idx = paths.layer_material[keep, layer]
    p3 = paths.muons.p4[keep, 1:]
    direction = p3 / np.linalg.norm(p3, axis=1, keepdims=True)
    out: list[tuple[int, _Emissions]] = []
    for j, (model, slc) in enumerate(zip(models, slices, strict=True)):
        sel = np.flatnonzero(mat_idx == j)
        if sel.size == 0:
            continue
        rows, lay = keep[sel], layer[sel]
        cum = model.cumulative
        c_lo = np.interp(e_out[rows, lay], model.energy, cum, left=0.0)
        c = c_lo + (u[sel] - below[sel])
        i = np.clip(np.searchsorted(cum, c, side="left"), 1, cum.size - 1)
        f = (c - cum[i - 1]) / np.where(cum[i] > cum[i - 1], cum[i] - cum[i - 1], 1.0)
        e_emit = model.energy[i - 1] + np.clip(f, 0.0, 1.0) * (
            model.energy[i] - model.energy[i - 1]
        )
        e_emit = np.clip(e_emit, e_out[rows, lay], e_in[rows, lay])
        depth = np.interp(e_in[rows, lay], model.energy, model.range_) - np.interp(
            e_emit, model.energy, model.range_
        )
        depth = np.clip(depth, 0.0, paths.length[rows, lay])
        vertex = (
            paths.muons.position[rows] + (paths.start[rows, lay] + depth)[:, None] * direction[sel]
        )
        node, frac = _node_frac(slc, e_emit)
        weight = paths.muons.weight[rows] * total[rows]
        em = _Emissions(rows, e_emit, vertex, direction[sel], weight, node, frac)
        out.append((j, em))
    return out


def aim_wall_emissions(
    paths: WallPaths,
    mass: float,
    target_center: ArrayLike,
    target_radius: float,
    rng: np.random.Generator,
    *,
    energy_loss: str = "constant",
) -> ScalarSample:
    """Scalars emitted by muons stopping in the walls, every S sent into a sphere.

    As :func:`aim_emissions`, for muons that cross layers of the facility's wall
    materials (:class:`muphilic.beamline.walls.WallPaths`), each layer with its
    compound's cross section (:func:`material_slice`), density and stopping power
    (``energy_loss``: ``"constant"`` or ``"bethe"``, see
    :meth:`muphilic.beamline.materials.Material.stopping_power`).

    Returns
    -------
    ScalarSample
        Channel ``"muon"``; weights per POT per y^2 heading into the sphere.
    """
    _check_mass(mass)
    center = _check_sphere(target_center, target_radius)
    parts = []
    for j, em in wall_emission_points(paths, mass, rng, energy_loss):
        parts.append(
            _aim(em, material_slice(mass, paths.materials[j]), mass, center, target_radius, rng)
        )
    parts = [p for p in parts if len(p) > 0]
    if not parts:
        return _no_emission(mass)
    return ScalarSample(
        mass,
        "muon",
        np.concatenate([p.p4 for p in parts]),
        np.concatenate([p.vertex for p in parts]),
        np.concatenate([p.weight for p in parts]),
    )
