"""K+ and pi+ that come to rest in the beamline's material and decay there (an estimate).

A K+ (pi+) that has not decayed by the end of its flight (absorbed on a horn or
aperture wall, or reaching the absorber face) either interacts hadronically in
the material or slows down, stops and decays at rest (a stopped K+ is not
captured by nuclei; stopped K- and pi- are, so only K+ and pi+ decay at rest).
``K+ -> mu nu S`` at rest emits S isotropically with
E_S < (m_K^2 + m_S^2 - m_mu^2) / (2 m_K); ``pi+ -> mu nu S`` needs m_S < m_pi - m_mu.

Model (an estimate): the meson keeps its momentum p up to the end of its path
(the few MeV it loses in the target and horn are neglected), then stops in iron
with the probability ``exp(-R(p) / lambda_abs(p))`` of covering its CSDA range R
in iron (Bethe-Bloch, :func:`muphilic.beamline.muons.bethe_dedx_iron` with the
meson mass) before a hadronic absorption (GEANT4's Glauber-Gribov K+ Fe and
pi+ Fe cross sections, :mod:`muphilic.beamline.absorption`; below 0.5 GeV/c the
value at 0.5 GeV/c, where R << lambda anyway); decays in flight during the
slowing down are neglected (they would be counted as decays at rest). Iron is
the densest material on every path (steel shielding around the horn, the
absorber); lighter materials have R / lambda within a factor ~1.5 of iron's.

On the BNB defaults the K+ at rest add 0.5-3.3 % to the kaon channel (0.5-2.8 %
to the total signal) at MiniBooNE, MicroBooNE, SBND and ICARUS for m_S = 24, 40
and 100 MeV, less than the Monte Carlo error of a default run; pi+ at rest add
nothing above the detectors' photon thresholds. They are therefore not part of
the beam sample.

:func:`stopped_mesons` gives the stopped K+ or pi+ as a
:class:`~muphilic.events.ParentSample` (at rest at the end of their path, weight =
stopped mesons per POT), which the signal code takes like any decays in flight.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.absorption import kaon_absorption_length, pion_absorption_xsec_any
from muphilic.beamline.decays import decay_length
from muphilic.beamline.geometry import rotate_to, straight_transport
from muphilic.beamline.horn import TrackStatus, track
from muphilic.beamline.muons import bethe_dedx_iron
from muphilic.beamline.simulate import BeamlineConfig, kaon_survival, pion_survival
from muphilic.beamline.target import interaction_length
from muphilic.constants import A_IRON, N_AVOGADRO, RHO_IRON, GeV, MeV, m_K, m_pi, tau_K, tau_pi
from muphilic.events import ParentSample

__all__ = ["AT_REST_SPECIES", "range_iron", "stopped_mesons", "stopping_probability"]

#: Species that decay at rest (negative mesons are captured by nuclei): PDG, mass, lifetime.
AT_REST_SPECIES = {"K+": (321, m_K, tau_K), "pi+": (211, m_pi, tau_pi)}

FloatArray = NDArray[np.float64]

_N_FE = RHO_IRON / A_IRON * N_AVOGADRO


@cache
def _range_table(mass: float) -> tuple[FloatArray, FloatArray]:
    t = np.geomspace(1.0 * MeV, 100.0 * GeV, 3001)
    inv = 1.0 / bethe_dedx_iron(t, mass)
    cum = np.concatenate(
        ([t[0] * inv[0]], t[0] * inv[0] + np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(t)))
    )
    return t, cum


def range_iron(momentum: FloatArray, mass: float) -> FloatArray:
    """CSDA range (mm) in iron of a singly charged particle (momentum MeV/c, mass MeV)."""
    p = np.asarray(momentum, dtype=float)
    t = np.hypot(p, mass) - mass
    tab_t, tab_r = _range_table(float(mass))
    return np.interp(t, tab_t, tab_r, left=0.0)


def stopping_probability(momentum: FloatArray, species: str = "K+") -> FloatArray:
    """Probability that a K+ or pi+ of momentum ``momentum`` (MeV/c) stops in iron
    before a hadronic absorption, ``exp(-R / lambda_abs)``."""
    if species not in AT_REST_SPECIES:
        raise ValueError(f"species must be one of {list(AT_REST_SPECIES)}, got {species!r}")
    mass = AT_REST_SPECIES[species][1]
    if species == "K+":
        lam = kaon_absorption_length(momentum, "K+", 26, 56, _N_FE)
    else:
        lam = 1.0 / (_N_FE * pion_absorption_xsec_any(momentum, 1, 26, 56))
    return np.exp(-range_iron(momentum, mass) / lam)


def stopped_mesons(
    pot: int, seed: int, config: BeamlineConfig | None = None, species: str = "K+"
) -> ParentSample:
    """K+ or pi+ per POT that stop in the beamline's material at the end of their flight.

    Same production, target, horn tracking and apertures as
    :func:`muphilic.beamline.simulate` (with ``config``), for ``pot`` protons'
    statistics and its own random stream from ``seed``.

    Returns
    -------
    ParentSample
        The mesons at rest (p4 = (m, 0, 0, 0)) at the end of their path; weight =
        production weight x survival of absorption in target and horn x probability
        of not decaying in flight x :func:`stopping_probability`.
    """
    if species not in AT_REST_SPECIES:
        raise ValueError(f"species must be one of {list(AT_REST_SPECIES)}, got {species!r}")
    pdg, mass, tau = AT_REST_SPECIES[species]
    config = config or BeamlineConfig()
    facility = config.facility
    backend = config.backend()
    backend.check(facility)
    source = backend.mesons(facility, pot=pot, seed=seed, attenuation=config.attenuation)
    rng = np.random.default_rng([seed, pdg])
    lambda_att = interaction_length(source.sigma_att, facility.target.number_density)
    n = source.rows(species, pot, config.oversample.get(species, 1.0))
    if n == 0:
        return ParentSample(pdg, np.zeros((0, 4)), np.zeros((0, 3)), np.zeros(0))
    norm = source.multiplicity[species] / n
    protons = config.interactions(n, rng, lambda_att)
    p, cos_t, w_ps = source.draw(species, 0, n, rng)
    sin_t = np.sqrt(np.clip(1.0 - cos_t**2, 0.0, None))
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    u0 = rotate_to(
        protons.direction, np.column_stack((sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t))
    )
    keep = w_ps > 0.0
    p, u0, pos0 = p[keep], u0[keep], protons.position[keep]
    w_prod = (protons.weight * w_ps * norm)[keep]
    horn = config.horn()
    res = track(pos0, u0, p, np.ones(len(p)), horn, step=config.tracking_step)
    w_surv = np.ones(len(p))
    target = facility.target
    if species == "K+" and config.kaon_absorption:
        w_surv = kaon_survival("K+", p, pos0, u0, res.wall_path, target)
    if species == "pi+" and config.pion_absorption:
        w_surv = pion_survival(1, p, pos0, u0, res.wall_path, target)
    end = res.position.copy()
    path = res.path_length.copy()
    exited = res.status == TrackStatus.EXITED
    if np.any(exited):
        aps = tuple(a for a in facility.all_apertures() if a.z2 > horn.z_end)
        s_e, end_e, _ = straight_transport(res.position[exited], res.direction[exited], aps)
        end[exited] = end_e
        path[exited] += s_e
    no_decay = np.exp(-path / decay_length(p, mass, tau))
    weight = w_prod * w_surv * no_decay * stopping_probability(p, species)
    p4 = np.zeros((len(p), 4))
    p4[:, 0] = mass
    return ParentSample(pdg, p4, end, weight)
