"""Event generation inside a worker process (never imported by the main process's physics).

chromo's models are Fortran libraries with global state: each can be initialised
once per process. The main process therefore never runs a model itself; it
starts worker processes (``spawn``) that each keep their initialised models in
:data:`_RUNS` and change the kinematics between chunks. Each worker works in a
folder of its own (UrQMD writes a ``tables.dat`` into the current folder) and
sends its standard output, where the models print banners, to the null device.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any

import numpy as np

__all__ = ["SPECIES_PDG", "generate_chunk", "init_worker"]

#: Kept species and their PDG codes.
SPECIES_PDG = {"pi+": 211, "pi-": -211, "K+": 321, "K-": -321, "K0L": 130}

#: Initialised models of this worker process, by chromo class name.
_RUNS: dict[str, Any] = {}


def init_worker(workdir: str) -> None:
    """Enter a private folder under ``workdir`` and silence the models' printing."""
    os.chdir(tempfile.mkdtemp(dir=workdir))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    # the models leave pi0, eta, K0S and hyperons undecayed and say so; we keep only
    # pi+-, K+- and K0L, for which this does not matter
    warnings.filterwarnings("ignore", message=".*haven't been decayed", category=RuntimeWarning)


def generate_chunk(
    class_name: str,
    kinetic_energy_gev: float,
    target: tuple[int, int],
    n_events: int,
    seed: int,
    chunk: int,
) -> dict[str, np.ndarray]:
    """Generate ``n_events`` p + (A, Z) collisions; return |p| [GeV/c] and cos theta per species.

    The random state is set from ``(seed, chunk)`` before the chunk, so a chunk's
    events do not depend on which worker makes it or on what it made before.
    """
    import chromo
    from chromo.kinematics import FixedTarget, KinEnergy

    mass_number, atomic_number = target
    nucleus: Any = "p" if (mass_number, atomic_number) == (1, 1) else (mass_number, atomic_number)
    kin = FixedTarget(KinEnergy(kinetic_energy_gev), "p", nucleus)
    run = _RUNS.get(class_name)
    if run is None:
        run = getattr(chromo.models, class_name)(kin, seed=seed)
        _RUNS[class_name] = run
    else:
        run.kinematics = kin
    run.random_state = np.random.PCG64(np.random.SeedSequence([seed, chunk])).state
    parts: dict[str, list[np.ndarray]] = {s: [] for s in SPECIES_PDG}
    for event in run(n_events):
        fs = event.final_state()
        p = np.sqrt(fs.px**2 + fs.py**2 + fs.pz**2)
        for species, pdg in SPECIES_PDG.items():
            sel = fs.pid == pdg
            parts[species].append(np.column_stack((p[sel], fs.pz[sel] / p[sel])))
    out: dict[str, np.ndarray] = {"events": np.array(n_events)}
    for species, rows in parts.items():
        table = np.concatenate(rows) if rows else np.zeros((0, 2))
        out[f"p_{species}"] = np.ascontiguousarray(table[:, 0], dtype=np.float64)
        out[f"cos_{species}"] = np.ascontiguousarray(table[:, 1], dtype=np.float64)
    return out
