"""Event-generator backends through chromo: generated mesons, chunked, cached, resumable, parallel.

A sample of N p-nucleus collisions is split into chunks of ``events_per_chunk``
events. Each chunk is one cache entry (kind ``"mesons"``, keyed by the model
name and version, the chromo version, the beam energy, the target nucleus, the
chunk's event count, the seed and the chunk's index), written as soon as it is
made: a killed run keeps its finished chunks and the next run makes only the
others. Missing chunks are made by worker processes (:mod:`._worker`, started
with ``spawn``: chromo's models can be initialised once per process), in
parallel, with a progress bar over the events.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from importlib import metadata, util
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from muphilic.beamline.production._worker import SPECIES_PDG, generate_chunk, init_worker
from muphilic.beamline.production.base import (
    SPECIES_PRODUCED,
    FloatArray,
    MesonTable,
    ProductionBackend,
    ProductionError,
    check_attenuation,
    suggest_generator,
)
from muphilic.cache import cached_file
from muphilic.constants import GeV, m_proton
from muphilic.progress import progress_bar

if TYPE_CHECKING:
    from muphilic.beamline.facility import Facility

__all__ = ["ChromoBackend", "GeneratedMesons", "generate"]

#: Layout version of a chunk's cache entry.
_FORMAT = 1


@dataclass(frozen=True)
class GeneratedMesons:
    """Kept mesons of ``events`` generated collisions (beam along +z).

    Attributes
    ----------
    events : int
    momentum, cos_theta : dict
        Species -> |p| (MeV) and cos of the angle to the beam of every kept meson.
    """

    events: int
    momentum: dict[str, FloatArray]
    cos_theta: dict[str, FloatArray]


class _NotCached(Exception):
    """Raised inside a cache look-up to ask whether an entry exists without building it."""


def _refuse(path: Path) -> None:
    raise _NotCached


def _cached_chunk(inputs: Mapping[str, Any]) -> Path | None:
    try:
        return cached_file("mesons", inputs, _refuse, suffix=".npz")
    except _NotCached:
        return None


def _write_chunk(arrays: Mapping[str, np.ndarray], path: Path) -> None:
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


def _read_chunk(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {key: np.asarray(data[key]) for key in data.files}


def generate(
    class_name: str,
    model: Mapping[str, str],
    kinetic_energy: float,
    target: tuple[int, int],
    n_events: int,
    seed: int,
    *,
    events_per_chunk: int = 1000,
    workers: int | None = None,
    progress: bool = False,
) -> GeneratedMesons:
    """Generate (or read from the cache) ``n_events`` collisions of protons on ``target``.

    Parameters
    ----------
    class_name : str
        chromo model class (``"UrQMD34"``).
    model : mapping
        ``{"model": name, "model_version": version}`` for the cache keys.
    kinetic_energy : float
        Proton kinetic energy, MeV.
    target : (A, Z)
        Target nucleus.
    n_events, seed : int
    events_per_chunk : int
        Events per cache entry.
    workers : int, optional
        Worker processes (default: CPUs, at most one per missing chunk).
    progress : bool
        Show a progress bar over the events.
    """
    if n_events < 1:
        raise ProductionError(f"the number of events must be positive, got {n_events}")
    chromo_version = metadata.version("chromo")
    energy_gev = kinetic_energy / GeV
    n_chunks = math.ceil(n_events / events_per_chunk)
    sizes = [min(events_per_chunk, n_events - i * events_per_chunk) for i in range(n_chunks)]
    inputs = [
        {
            "format": _FORMAT,
            **model,
            "chromo": chromo_version,
            "proton_kinetic_energy_GeV": energy_gev,
            "target_A_Z": list(target),
            "events": size,
            "seed": int(seed),
            "chunk": i,
            "species": SPECIES_PDG,
        }
        for i, size in enumerate(sizes)
    ]
    paths: dict[int, Path] = {}
    for i, key in enumerate(inputs):
        found = _cached_chunk(key)
        if found is not None:
            paths[i] = found
    missing = [i for i in range(n_chunks) if i not in paths]
    label = f"{model['model']} {model['model_version']}: p + (A, Z) = {tuple(target)} events"
    with progress_bar(progress) as bar:
        task = bar.add_task(label, total=n_events)
        bar.advance(task, sum(sizes[i] for i in paths))
        if missing:
            n_workers = min(workers or os.cpu_count() or 1, len(missing))
            with tempfile.TemporaryDirectory(prefix="muphilic-generators-") as workdir:
                pool = ProcessPoolExecutor(
                    max_workers=n_workers,
                    mp_context=get_context("spawn"),
                    initializer=init_worker,
                    initargs=(workdir,),
                )
                try:
                    futures: dict[Future[dict[str, np.ndarray]], int] = {
                        pool.submit(
                            generate_chunk, class_name, energy_gev, target, sizes[i], seed, i
                        ): i
                        for i in missing
                    }
                    for future in as_completed(futures):
                        i = futures[future]
                        arrays = future.result()
                        paths[i] = cached_file(
                            "mesons",
                            inputs[i],
                            lambda path, a=arrays: _write_chunk(a, path),
                            suffix=".npz",
                        )
                        bar.advance(task, sizes[i])
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)
    chunks = [_read_chunk(paths[i]) for i in range(n_chunks)]
    events = sum(int(c["events"]) for c in chunks)
    if events != n_events:
        raise ProductionError(f"cached meson chunks hold {events} events, expected {n_events}")
    return GeneratedMesons(
        events,
        {s: np.concatenate([c[f"p_{s}"] for c in chunks]) * GeV for s in SPECIES_PDG},
        {s: np.concatenate([c[f"cos_{s}"] for c in chunks]) for s in SPECIES_PDG},
    )


@dataclass(frozen=True)
class _Model:
    """A chromo model: class name, display name and version, validity limits."""

    class_name: str
    display: str
    version: str
    ecm_min: float  # sqrt(s_NN), MeV
    a_max: int


class ChromoBackend(ProductionBackend):
    """Inelastic p-nucleus collisions generated by a chromo model on the target nucleus.

    Parameters
    ----------
    name : {"urqmd", "sibyll"}
    events_per_chunk : int
        Events per cache entry (a killed run resumes from the finished chunks).
    workers : int, optional
        Worker processes (default: the number of CPUs, at most one per chunk).

    Notes
    -----
    ``pot`` protons on target are ``pot`` generated collisions. Each collision
    is a production (inelastic, not quasi-elastic) event, so the mesons per
    proton interaction are the generated mesons per event times
    ``sigma_production / sigma_att`` with the target's cross sections from the
    facility file. Kept: pi+-, K+-, K0L (stable in the generator); leading
    protons and neutrons are dropped, like the re-interactions of any hadron
    (the BNB fits have none either). Feed-down from K0S, Lambda, Sigma and eta
    decays is not added (about 4 % of all pi+- of UrQMD at 8.9 GeV/c, mostly soft).
    """

    _MODELS: ClassVar[dict[str, _Model]] = {
        "urqmd": _Model("UrQMD34", "UrQMD", "3.4", 2.0 * GeV, 1000),
        "sibyll": _Model("Sibyll23d", "SIBYLL", "2.3d", 10.0 * GeV, 20),
    }

    def __init__(self, name: str, events_per_chunk: int = 1000, workers: int | None = None):
        if name not in self._MODELS:
            raise ProductionError(
                f"no chromo model named {name!r}; use one of {list(self._MODELS)}"
            )
        if events_per_chunk < 1 or (workers is not None and workers < 1):
            raise ProductionError("events_per_chunk and workers must be positive")
        self.name = name
        self.model = self._MODELS[name]
        self.events_per_chunk = int(events_per_chunk)
        self.workers = workers

    @staticmethod
    def chromo_version() -> str:
        """The installed chromo's version (raises if chromo is missing)."""
        if util.find_spec("chromo") is None:
            raise ProductionError(
                "the event-generator backends need chromo: pip install 'muphilic[generators]'"
            )
        return metadata.version("chromo")

    @property
    def label(self) -> str:
        """Model name and version, and the chromo version."""
        return f"{self.model.display} {self.model.version} (chromo {self.chromo_version()})"

    def check(self, facility: Facility) -> None:
        self.chromo_version()
        t = facility.target
        p = facility.p_beam
        e_beam = math.hypot(p, m_proton)
        ecm = math.sqrt(2.0 * m_proton * (e_beam + m_proton))
        where = f"facility {facility.name!r}"
        if ecm < self.model.ecm_min:
            raise ProductionError(
                f"production {self.name!r} ({self.model.display}) needs sqrt(s_NN) >= "
                f"{self.model.ecm_min / GeV:g} GeV; {where} has {ecm / GeV:.3g} GeV "
                f"({p / GeV:.4g} GeV/c protons): use production = {suggest_generator(p)}"
            )
        if t.mass_number > self.model.a_max:
            raise ProductionError(
                f"production {self.name!r} ({self.model.display}) takes target nuclei up to "
                f"A = {self.model.a_max}; {where} has A = {t.mass_number}: use 'urqmd'"
            )
        for key in ("sigma_inelastic", "sigma_production"):
            if getattr(t, key) is None:
                raise ProductionError(
                    f"production {self.name!r} normalises its events with the target's cross "
                    f"sections: {where} needs target.{key}_mb"
                )

    def identity(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model.display,
            "model_version": self.model.version,
            "chromo": self.chromo_version(),
            "events_per_chunk": self.events_per_chunk,
        }

    def mesons(
        self,
        facility: Facility,
        *,
        pot: int,
        seed: int,
        attenuation: str = "inelastic",
        progress: bool = False,
    ) -> MesonTable:
        self.check(facility)
        check_attenuation(attenuation)
        import chromo.models

        installed = getattr(chromo.models, self.model.class_name).version
        if installed != self.model.version:
            raise ProductionError(
                f"chromo {self.chromo_version()} ships {self.model.display} {installed}, "
                f"not the {self.model.version} this backend was checked with"
            )
        t = facility.target
        assert t.sigma_inelastic is not None and t.sigma_production is not None
        sigma_att = t.sigma_inelastic if attenuation == "inelastic" else t.sigma_production
        sample = generate(
            self.model.class_name,
            {"model": self.model.display, "model_version": self.model.version},
            facility.proton_kinetic_energy,
            (t.mass_number, t.atomic_number),
            int(pot),
            int(seed),
            events_per_chunk=self.events_per_chunk,
            workers=self.workers,
            progress=progress,
        )
        scale = t.sigma_production / sigma_att / sample.events
        mult = {s: len(sample.momentum[s]) * scale for s in SPECIES_PRODUCED}
        return MesonTable(self.label, sigma_att, mult, sample.momentum, sample.cos_theta)
