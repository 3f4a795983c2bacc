"""What the details of the mesons' transport through the target and the horn do to the BNB
nu_mu flux (embedded / official, bins of flux_vs_official.py): their ionisation loss, the
target's cooling sleeve and fins, the field inside the inner conductor and multiple
scattering.

    python benchmarks/flux_transport.py [POT]

Rows: without the ionisation loss (``meson_energy_loss = False``), with a bare target rod
(no ``[target.sleeve]`` and ``[target.fins]``), without the field in the inner conductor (the
horn's ``skin_depth_mm = 0``), the default (with all three), and the default with multiple
Coulomb scattering added. The beamline does not model the
scattering; here each meson gets one Gaussian kick per transverse plane where it is made,
with the Highland width (PDG Eq. 34.16) for its straight path in the target plus the
conductor wall path of a first tracking (X0 = 65.19 g/cm^2 for Be, 24.01 g/cm^2 for Al,
PDG; beta of a pion for the kaons too), and is then tracked again: the kick of the walls
is put before the field, where most mesons cross the inner conductor. All rows use the
same seed.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import flux_vs_official

from muphilic.beamline.facility_file import load_facility
from muphilic.constants import cm2, cm3, g, m_pi

simulate_module = importlib.import_module("muphilic.beamline.simulate")

X0_BE = 65.19 * g / cm2 / (1.848 * g / cm3)  # mm
X0_AL = 24.01 * g / cm2 / (2.7 * g / cm3)


def highland(p: np.ndarray, mass: float, x_over_x0: np.ndarray) -> np.ndarray:
    """Width (rad) of the projected scattering angle after x / X0 of material."""
    beta = p / np.hypot(p, mass)
    x = np.maximum(x_over_x0, 1e-12)
    width = 13.6 / (beta * p) * np.sqrt(x) * (1.0 + 0.038 * np.log(x / beta**2))
    return np.where(x_over_x0 > 0.0, np.maximum(width, 0.0), 0.0)


def scattering_tracker(rng: np.random.Generator) -> Callable:
    """``track`` of the beamline with a scattering kick before the first pass."""
    real = simulate_module.track
    target = load_facility("bnb").target

    def track(pos0, u0, p, charge, horn, *, record=False, **kw):
        if not record:  # the second pass resumes the first: kicked already
            return real(pos0, u0, p, charge, horn, record=record, **kw)
        first = real(pos0, u0, p, charge, horn, record=True, **kw)
        l_t = target.material_path(pos0, u0)
        width = highland(p, m_pi, l_t / X0_BE + first.wall_path / X0_AL)
        a = np.cross(u0, [0.0, 0.0, 1.0])
        norm = np.linalg.norm(a, axis=1)
        a = np.where(norm[:, None] > 1e-12, a / np.maximum(norm, 1e-300)[:, None], [1.0, 0, 0])
        b = np.cross(u0, a)
        kicked = u0 + width[:, None] * (
            rng.normal(size=(len(p), 1)) * a + rng.normal(size=(len(p), 1)) * b
        )
        u0[:] = kicked / np.linalg.norm(kicked, axis=1)[:, None]  # the caller's directions
        return real(pos0, u0, p, charge, horn, record=True, **kw)

    return track


def main() -> None:
    pot = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    runs = {"no ionisation loss": flux_vs_official.compare(pot, meson_energy_loss=False)}
    bnb = load_facility("bnb")
    no_skin = replace(bnb, horns=tuple(replace(h, skin_depth=0.0) for h in bnb.horns))
    bare = replace(bnb, target=replace(bnb.target, sleeve=None, fins=None))
    runs["bare target rod"] = flux_vs_official.compare(pot, facility=bare)
    runs["no field in the conductor"] = flux_vs_official.compare(pot, facility=no_skin)
    runs["default"] = flux_vs_official.compare(pot)
    real = simulate_module.track
    simulate_module.track = scattering_tracker(np.random.default_rng(5))
    try:
        runs["default + multiple scattering"] = flux_vs_official.compare(pot)
    finally:
        simulate_module.track = real
    base = runs["default"]
    for det in base:
        for name, run in runs.items():
            r = run[det]
            print(f"{det:10s} {name:30s}", " ".join(f"{x:.3f}" for x in r["ratio"]), end="")
            print(f"  mean {r['mean_GeV']:.3f} GeV (reference {r['ref_mean_GeV']:.3f})")
        for name, run in runs.items():
            if run is not base:
                change = run[det]["ratio"] / base[det]["ratio"] - 1.0
                print(f"{det:10s} {name + ' / default':44s}", " ".join(f"{x:+.3f}" for x in change))


if __name__ == "__main__":
    main()
