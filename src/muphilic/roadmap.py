"""The road map: every packaged detector at its own facility, beside the BNB results.

Each packaged detector file names its facility (``facility = "numi"``; the BNB
by default). :func:`facility_detectors` lists the detectors of a facility,
:func:`flux_volumes` their flux-averaging volumes for ``muphilic beam``, and
:func:`roadmap` runs :func:`muphilic.pipeline.reach` once per facility (its
own beam sample, its detectors at their nominal exposures, the ``pot`` of each
detector file) and returns the scans and the g-2-band mass range of each
detector. :func:`write_roadmap` draws them in one figure with the g-2 band
(:func:`muphilic.recast.plot.plot_reach`) and writes the table as CSV.
:func:`compare_flux` checks a facility's flux against the published fluxes
packaged in ``muphilic/data/fluxes/``.

The detectors of the other facilities have modelled NC pi0 backgrounds
(:mod:`muphilic.recast.ncpi0`): their curves are expected sensitivities or
projections, never exclusions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.facility_file import available_facilities, load_facility
from muphilic.beamline.flux import DEFAULT_FLUX_VOLUMES, Box, Sphere, numu_flux
from muphilic.constants import GeV
from muphilic.detectors import Detector, available_detectors, load_detector
from muphilic.errors import MuphilicError
from muphilic.files import atomic_write

__all__ = [
    "BNB_EXPERIMENTS",
    "PUBLISHED_FLUXES",
    "ROADMAP_FLUX_EDGES",
    "FluxComparison",
    "RoadmapResult",
    "compare_flux",
    "facility_detectors",
    "facility_flux",
    "facility_key",
    "flux_volumes",
    "published_flux",
    "roadmap",
    "roadmap_facilities",
    "table_csv",
    "write_roadmap",
]

FloatArray = NDArray[np.float64]

#: Neutrino-energy bins of the road-map backgrounds: 0-40 GeV in 250 MeV (NuMI's ME
#: flux reaches well beyond 10 GeV).
ROADMAP_FLUX_EDGES = np.arange(0.0, 40.0 * GeV + 1.0, 0.25 * GeV)

#: The BNB detectors of the road map: the paper's three.
BNB_EXPERIMENTS = ("miniboone", "microboone", "sbnd")


def facility_key(name: str) -> str:
    """The packaged facility key (``"numi"``) of a facility or beam-sample name (``"NuMI"``)."""
    wanted = str(name).strip().lower()
    for key in available_facilities():
        if wanted in (key, load_facility(key).name.lower()):
            return key
    raise MuphilicError(f"facility {name!r} is not packaged; packaged are {available_facilities()}")


def roadmap_facilities() -> tuple[str, ...]:
    """The road map's default facilities: the BNB, then every packaged facility that has
    packaged detectors (a tune variant such as ``numi-le`` has none of its own)."""
    others = [k for k in available_facilities() if k != "bnb" and facility_detectors(k)]
    return ("bnb", *others)


def facility_detectors(key: str) -> list[str]:
    """Names of the packaged detectors whose positions are in facility ``key``'s frame."""
    return [d for d in available_detectors() if load_detector(d).facility == key]


def _volume(detector: Detector) -> Sphere | Box:
    from muphilic.beamline.store import flux_volume

    return flux_volume(detector)


def flux_volumes(key: str) -> dict[str, Sphere | Box]:
    """Flux-averaging volumes of facility ``key``'s detectors, by detector name.

    The BNB keeps the volumes of :data:`muphilic.beamline.flux.DEFAULT_FLUX_VOLUMES`
    (MiniBooNE's published-flux sphere, the MicroBooNE and SBND TPCs).
    """
    if key == "bnb":
        return dict(DEFAULT_FLUX_VOLUMES)
    return {name: _volume(load_detector(name)) for name in facility_detectors(key)}


def facility_flux(beam: Any, detector: Detector) -> FloatArray:
    """nu_mu flux per cm^2 per POT of ``beam`` at ``detector`` in :data:`ROADMAP_FLUX_EDGES`.

    Raises
    ------
    MuphilicError
        If the beam sample is of another facility than the detector's.
    """
    wanted = load_facility(detector.facility).name
    have = getattr(beam, "facility", "")
    if have and have != wanted:
        raise MuphilicError(
            f"detector {detector.name} is on facility {detector.facility!r}, the beam is "
            f"{have!r}: set [beam] facility = {detector.facility!r} "
            f"(muphilic reach --facility {detector.facility})"
        )
    return numu_flux(beam, _volume(detector), ROADMAP_FLUX_EDGES).total


@dataclass(frozen=True)
class RoadmapResult:
    """Scans of every detector, by facility, and the g-2-band range each covers.

    Attributes
    ----------
    results : dict
        Facility key -> :class:`muphilic.pipeline.ReachResult`.
    rows : list of dict
        One per detector: facility, detector key and name, curve kind, POT,
        background source, g-2-band range (MeV) or None.
    """

    results: dict[str, Any]
    rows: list[dict[str, Any]]

    def scans(self) -> list[Any]:
        """All scans, facility by facility."""
        return [s for r in self.results.values() for s in r.scans.values()]


def roadmap(
    base: Any = None,
    *,
    facilities: Sequence[str] | None = None,
    pot: Mapping[str, int] | None = None,
    progress: bool = False,
    n_workers: int | None = 1,
    dump_muons_off_bnb: bool = False,
) -> RoadmapResult:
    """Reach of every packaged detector at its facility's nominal exposure.

    Parameters
    ----------
    base : muphilic.config.RunConfig, optional
        Scan grid, statistics, emission settings and seed (the paper's by default);
        its beam facility and experiments are replaced per facility.
    facilities : sequence of str, optional
        Packaged facility keys (default :func:`roadmap_facilities`: all of them);
        the BNB's detectors are the paper's three.
    pot : mapping, optional
        Facility key -> simulated protons on target (statistics of the beam
        sample); default the base configuration's ``beam.pot``.
    progress : bool
    n_workers : int or None
    dump_muons_off_bnb : bool
        Keep the dump-muon channel (if in ``base.emission.channels``) for the
        facilities other than the BNB. Off by default: their muons (up to ~100 GeV)
        have ranges of 7-60 m of iron, far beyond the absorbers (a few metres of
        aluminium and steel, then rock), while the dump model slows every muon down
        in thick iron (docs/facilities.md); the meson decays alone are conservative.
    """
    from muphilic.config import RunConfig
    from muphilic.pipeline import reach

    base = base or RunConfig()
    results: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for key in roadmap_facilities() if facilities is None else facilities:
        names = BNB_EXPERIMENTS if key == "bnb" else tuple(facility_detectors(key))
        if not names:
            raise MuphilicError(f"facility {key!r} has no packaged detectors")
        beam = replace(
            base.beam,
            facility=key,
            production="",
            pot=int((pot or {}).get(key, base.beam.pot)),
        )
        emission = base.emission
        if key != "bnb" and not dump_muons_off_bnb:
            # thick-iron dump model inadequate for 10-100 GeV muons: meson decays only
            channels = tuple(c for c in emission.channels if c != "muon")
            emission = replace(emission, channels=channels)
        run = replace(base, beam=beam, experiments=names, emission=emission).validate()
        result = reach(run, progress=progress, n_workers=n_workers)
        results[key] = result
        for name in names:
            scan = result.scans[name]
            record = result.detectors.get(name, {})
            interval = result.g2_band_excluded_MeV.get(name)
            rows.append(
                {
                    "facility": key,
                    "detector": name,
                    "name": scan.experiment,
                    "curve": scan.kind,
                    "pot": float(load_detector(name).pot),
                    "approximate_facility": load_facility(key).approximate,
                    "background": str(record.get("background_source", "")),
                    "g2_band_low_MeV": None if interval is None else float(interval[0]),
                    "g2_band_high_MeV": None if interval is None else float(interval[1]),
                }
            )
    return RoadmapResult(results, rows)


_COLUMNS = ("facility", "detector", "name", "curve", "pot", "g2_band_low_MeV", "g2_band_high_MeV")


def table_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The road-map table as CSV text (empty range cells where the band is not reached)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                "" if row[c] is None else (f"{row[c]:.4g}" if isinstance(row[c], float) else row[c])
                for c in _COLUMNS
            ]
        )
    return out.getvalue()


def write_roadmap(result: RoadmapResult, out_dir: str | Path) -> list[Path]:
    """Write ``roadmap.png``, ``roadmap.pdf`` and ``roadmap.csv`` into ``out_dir``."""
    from muphilic.recast.plot import plot_reach

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    pots = ", ".join(f"{k}: {r.config.beam.pot:,} simulated POT" for k, r in result.results.items())
    approximate = [k for k in result.results if load_facility(k).approximate]
    models = f"; approximate beamline models: {', '.join(approximate)}" if approximate else ""
    files = plot_reach(
        result.scans(),
        folder / "roadmap",
        title="Road map: packaged detectors at their nominal exposures",
        footnote=f"non-BNB: modelled NC pi0 backgrounds, meson decays only{models}; {pots}",
    )
    table = folder / "roadmap.csv"
    atomic_write(table, table_csv(result.rows))
    return [*files, table]


# --- validation against the published fluxes ------------------------------------------
#: Published nu_mu fluxes packaged in ``muphilic/data/fluxes/`` (README there): key ->
#: (file, facility key, detector).
PUBLISHED_FLUXES: dict[str, tuple[str, str, str]] = {
    "nova_nd_me": ("nova_nd_fhc_numu_2017.csv", "numi", "nova_nd"),
    "minerva_me": ("minerva_me_fhc_numu.csv", "numi", "minerva"),
    "minerva_le": ("minerva_le_fhc_numu.csv", "numi-le", "minerva"),
    "nd280": ("nd280_fhc_numu_2016.csv", "jparc", "nd280"),
    "dune_nd": ("dune_nd_fhc_numu_tdr.csv", "lbnf", "dune_nd"),
}


def published_flux(key: str) -> tuple[FloatArray, FloatArray]:
    """A packaged published flux: (edges in MeV, nu_mu per cm^2 per POT in each bin)."""
    from muphilic.data import data_file

    if key not in PUBLISHED_FLUXES:
        raise MuphilicError(f"no published flux {key!r}; packaged: {sorted(PUBLISHED_FLUXES)}")
    text = data_file("fluxes", PUBLISHED_FLUXES[key][0]).read_text()
    rows = np.array(
        [[float(v) for v in line.split(",")] for line in text.splitlines() if line[:1].isdigit()]
    )
    return np.append(rows[:, 0], rows[-1, 1]) * GeV, rows[:, 2]


@dataclass(frozen=True)
class FluxComparison:
    """A simulated flux against a published one (per cm^2 per POT).

    Attributes
    ----------
    integral, integral_published : float
        Over the published bins up to ``max_energy`` (20 GeV).
    mean_GeV, mean_published_GeV : float
        Flux-weighted mean energies over the same range (bin centres).
    edges_GeV : ndarray
        Comparison bins (unions of the published bins, 0.5 or 0.6 to 10 GeV).
    ratio : ndarray
        Simulated / published flux in each comparison bin.
    """

    integral: float
    integral_published: float
    mean_GeV: float
    mean_published_GeV: float
    edges_GeV: FloatArray
    ratio: FloatArray

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers for JSON and tables."""
        return {
            "integral_per_cm2_per_pot": self.integral,
            "integral_published_per_cm2_per_pot": self.integral_published,
            "integral_ratio": self.integral / self.integral_published,
            "mean_GeV": self.mean_GeV,
            "mean_published_GeV": self.mean_published_GeV,
            "bins_GeV": [float(e) for e in self.edges_GeV],
            "ratio": [float(r) for r in self.ratio],
        }


def compare_flux(beam: Any, key: str, max_energy: float = 20.0 * GeV) -> FluxComparison:
    """Compare the nu_mu flux of ``beam`` at the published flux ``key``'s detector.

    The comparison bins are 1 GeV wide from the first published edge at or
    above 0.5 GeV to 10 GeV (merged published bins: per-bin statistics of a
    small sample).
    """
    edges, published = published_flux(key)
    detector = load_detector(PUBLISHED_FLUXES[key][2])
    sim = numu_flux(beam, _volume(detector), edges).total
    keep = edges[1:] <= max_energy * (1 + 1e-9)
    centres = 0.5 * (edges[1:] + edges[:-1])
    start = float(edges[np.searchsorted(edges, 0.5 * GeV - 1e-6)])
    wanted = np.concatenate(([start], np.arange(1.0, 10.5, 1.0) * GeV))
    index = np.searchsorted(edges, wanted - 1e-6)
    if not np.allclose(edges[index], wanted):
        raise MuphilicError(f"the bins of {key} do not contain 1 GeV edges")
    sums = np.add.reduceat(sim, index[:-1])[: len(wanted) - 1]
    sums_pub = np.add.reduceat(published, index[:-1])[: len(wanted) - 1]
    return FluxComparison(
        integral=float(np.sum(sim[keep])),
        integral_published=float(np.sum(published[keep])),
        mean_GeV=float(np.sum(sim[keep] * centres[keep]) / np.sum(sim[keep]) / GeV),
        mean_published_GeV=float(
            np.sum(published[keep] * centres[keep]) / np.sum(published[keep]) / GeV
        ),
        edges_GeV=wanted / GeV,
        ratio=sums / sums_pub,
    )
