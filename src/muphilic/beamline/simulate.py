"""Top level of the embedded beamline simulation (any facility; the BNB by default).

The geometry comes from a :class:`~muphilic.beamline.facility.Facility` (a facility
file), the mesons from a production backend chosen by name
(:mod:`muphilic.beamline.production`). Chain (all vectorised over particles,
weights per proton on target):

1. proton interaction points in the target (:mod:`.target`);
2. pi+-, K+- momenta drawn from the production backend (the BNB parametrisations
   importance-sampled, or a generator's table), rotated to the proton direction;
3. tracking through the horns' fields (:mod:`.horn`), then straight flight through
   the facility's apertures and decay pipe to the absorber face
   (:mod:`.geometry`);
4. one decay point per meson on its path up to where it stops (absorbed or at
   the absorber face), weight times the decay probability (:mod:`.decays`);
5. the muon of pi/K -> mu nu from each decay, straight to the pipe wall or the
   absorber face (:mod:`.muons`).

Pions and charged kaons are attenuated on their way out of the target (its sleeve and
fins included, :mod:`.target_support`) and through the horns' inner conductors
(:mod:`.absorption`; switches ``pion_absorption`` and ``kaon_absorption``), and slowed
down there by their ionisation loss (:mod:`.energy_loss`; switch ``meson_energy_loss``).
Where a horn has a skin depth the tracker also bends them inside its inner conductor
(:class:`~muphilic.beamline.horn.HornGeometry`). Where a facility gives a horn's
``outer_conductor_mm``, mesons reaching the outer conductor cross it (attenuated in its
aluminium the same way) and may decay in the air around the horn before they stop at
that region's boundary, their muons too (:mod:`.outer_conductor`; switch
``outer_conductor_transmission``).
Neutral kaons (K0L) are counted (``produced_per_pot``, as produced) but not followed.

Quasi-elastically scattered primary protons interact again in a beryllium target
(G4BNB's quasi-elastic model; switch ``proton_rescattering``). Not modelled
(documented differences from the full GEANT4 simulation): the other secondary and
tertiary hadron production (re-interacting protons and neutrons of the primary
collision, pions, in the target, horn and concrete - MiniBooNE quotes ~7 % of its
nu_mu from pi+ made by re-scattered protons), multiple scattering of mesons (+2.4 %
or less per flux bin, :mod:`.energy_loss`), K+- decays other than K -> mu nu (K_mu3,
K -> pi pi followed by pi decays), the horn field acting on muons, hadrons produced in the
absorber or the pipe walls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.absorption import kaon_survival, pion_survival
from muphilic.beamline.decays import decay_length, isotropic_two_body, sample_decay_distance
from muphilic.beamline.energy_loss import (
    ALUMINIUM,
    Medium,
    momentum_after,
    momentum_after_walls,
    wall_loss,
)
from muphilic.beamline.facility import Facility
from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.geometry import StraightStatus, rotate_to, straight_transport
from muphilic.beamline.horn import HornSystem, TrackStatus
from muphilic.beamline.horn_kernel import checkpoints_of, track  # $MUPHILIC_HORN_NUMPY=1: NumPy
from muphilic.beamline.outer_conductor import beyond_outer_conductor, hall_exit
from muphilic.beamline.production import (
    ATTENUATIONS,
    CHARGED,
    SPECIES,
    SPECIES_PRODUCED,
    MesonSource,
    ProductionBackend,
    get_backend,
)
from muphilic.beamline.production.reweight import PionReweight, ReweightedSource
from muphilic.beamline.target import (
    ProtonInteractions,
    interaction_length,
    rescatter_quasielastic,
    sample_interactions,
)
from muphilic.constants import (
    BR_K_TO_MU_NU,
    BR_PI_TO_MU_NU,
    m_mu,
    mm,
    tau_K,
    tau_mu,
    tau_pi,
)
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample
from muphilic.progress import progress_bar

__all__ = [
    "BeamSample",
    "BeamlineConfig",
    "BeamlineConfigError",
    "kaon_survival",
    "pion_survival",
    "simulate",
]

FloatArray = NDArray[np.float64]

PDG = {"pi+": 211, "pi-": -211, "K+": 321, "K-": -321, "K0L": 130}
CHARGE = {"pi+": 1, "pi-": -1, "K+": 1, "K-": -1}
LIFETIME = {"pi+": tau_pi, "pi-": tau_pi, "K+": tau_K, "K-": tau_K}
BR_MU_NU = {"pi+": BR_PI_TO_MU_NU, "pi-": BR_PI_TO_MU_NU, "K+": BR_K_TO_MU_NU, "K-": BR_K_TO_MU_NU}

_DEFAULT_OVERSAMPLE = MappingProxyType({"pi+": 1.0, "pi-": 1.0, "K+": 5.0, "K-": 20.0})


class BeamlineConfigError(MuphilicError):
    """A beamline configuration value is invalid."""


def _bnb() -> Facility:
    return load_facility("bnb")


@dataclass(frozen=True)
class BeamlineConfig:
    """Settings of the embedded simulation: a facility, a production backend, numerics.

    Attributes
    ----------
    facility : Facility
        The beamline (default: the packaged BNB facility, neutrino mode).
    production : str
        Production backend (:func:`muphilic.beamline.production.get_backend`);
        empty for the facility's own (``bnb-fits`` for the BNB).
    attenuation : {"inelastic", "production"}
        Proton attenuation cross section (see :mod:`muphilic.beamline.target`).
    tracking_step : float
        Largest horn tracking step, mm (steps adapt near field boundaries).
    oversample : mapping
        Sampled mesons per expected meson, per species (more kaons than pions);
        a generator's mesons are each used ``ceil(oversample)`` times.
    pion_absorption : bool
        Attenuate pions on their path through the rest of the target and the
        horns' inner conductors (:mod:`muphilic.beamline.absorption`): G4BNB's
        fits in Be and Al, GEANT4's Glauber-Gribov cross section in any other
        target material (graphite).
    kaon_absorption : bool
        Attenuate K+- the same way, with GEANT4's Glauber-Gribov kaon-nucleus
        absorption cross sections (any target nucleus; the horns' aluminium).
    chunk_size : int
        Mesons processed at once (memory bound).
    proton_rescattering : bool or None
        Quasi-elastically scattered primary protons interact again in the target
        (G4BNB's quasi-elastic p-Be model, :func:`muphilic.beamline.target.rescatter_quasielastic`);
        ``None`` (default): on for a one-cylinder beryllium target with
        ``attenuation="inelastic"``, off otherwise.
    meson_energy_loss : bool
        Slow pions and kaons down by their mean ionisation loss in the target and the
        horns' conductors (:mod:`muphilic.beamline.energy_loss`).
    pi_plus_reweight : PionReweight or None
        Weight the ``bnb-fits`` pi+ production by spline(table) / Sanford-Wang, the
        official flux's central value built from a measured table
        (:mod:`muphilic.beamline.production.reweight`); ``None`` (default): the fits as G4BNB
        samples them.
    """

    facility: Facility = field(default_factory=_bnb)
    production: str = ""
    attenuation: str = "inelastic"
    tracking_step: float = 30.0 * mm
    oversample: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_OVERSAMPLE))
    pion_absorption: bool = True
    chunk_size: int = 250_000
    kaon_absorption: bool = True
    proton_rescattering: bool | None = None
    pi_plus_reweight: PionReweight | None = None
    outer_conductor_transmission: bool = True
    meson_energy_loss: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.facility, Facility):
            raise BeamlineConfigError(
                f"facility must be a Facility (muphilic.beamline.load_facility), got "
                f"{type(self.facility).__name__}"
            )
        if self.attenuation not in ATTENUATIONS:
            raise BeamlineConfigError(
                f"attenuation must be 'inelastic' or 'production', got {self.attenuation!r}"
            )
        if not self.tracking_step > 0:
            raise BeamlineConfigError("tracking_step must be positive")
        for key, val in self.oversample.items():
            if key not in CHARGED or not val > 0:
                raise BeamlineConfigError(f"oversample[{key!r}] = {val!r} is invalid")
        if self.chunk_size < 1:
            raise BeamlineConfigError("chunk_size must be >= 1")
        material = self.facility.target.material
        if self.proton_rescattering and not self._rescattering_modelled():
            raise BeamlineConfigError(
                "proton_rescattering is G4BNB's quasi-elastic p-Be model: it needs a "
                "one-cylinder Be target with known p-nucleus cross sections and "
                f"attenuation='inelastic' (facility {self.facility.name!r}, {material} target, "
                f"attenuation={self.attenuation!r})"
            )

    def _rescattering_modelled(self) -> bool:
        t = self.facility.target
        return (
            t.material == "Be"
            and len(t.segments) == 1
            and t.sigma_inelastic is not None
            and t.sigma_production is not None
            and self.attenuation == "inelastic"
        )

    @property
    def rescattering(self) -> bool:
        """Whether quasi-elastically scattered protons interact again (see the attribute)."""
        if self.proton_rescattering is None:
            return self._rescattering_modelled()
        return self.proton_rescattering

    def interactions(
        self, n: int, rng: np.random.Generator, lambda_att: float
    ) -> ProtonInteractions:
        """``n`` meson-producing proton interactions in the facility's target."""
        facility = self.facility
        protons = sample_interactions(n, rng, lambda_att, facility.spot, facility.target)
        if not self.rescattering:
            return protons
        t = facility.target
        qe_fraction = 1.0 - float(t.sigma_production) / float(t.sigma_inelastic)
        return rescatter_quasielastic(protons, rng, lambda_att, t, qe_fraction, self.p_beam)

    @property
    def p_beam(self) -> float:
        """Proton momentum, MeV."""
        return self.facility.p_beam

    def backend(self) -> ProductionBackend:
        """The production backend (this configuration's, else the facility's)."""
        return get_backend(self.production or self.facility.production)

    def horn(self) -> HornSystem:
        """The facility's horns with their signed currents."""
        return self.facility.horn_system()


@dataclass(frozen=True)
class BeamSample:
    """Output of :func:`simulate`: weighted decays, muons and production yields.

    Attributes
    ----------
    pot : int
        Protons on target the sample stands for (statistics label; all weights
        are already per POT).
    parents : dict
        ``"pi+", "pi-", "K+", "K-"`` -> :class:`ParentSample` at the decay point
        (four-momentum at decay, vertex, decays per POT including the decay
        probability on the meson's path upstream of the absorber face).
    muons : MuonSample
        Muons of pi/K -> mu nu that reach the absorber face (entry point and
        four-momentum there, muons per POT).
    produced_per_pot : dict
        Mesons produced per POT (pi+, pi-, K+, K-, K0L).
    produced : dict
        ``"pi+", ...`` -> :class:`ParentSample` at production (production point,
        four-momentum, mesons per POT).
    muons_wall : MuonSample or None
        Muons that stop on an aperture wall (decay pipe, collimator, hall),
        position where they hit it.
    muons_produced_per_pot : float
        All muons from the recorded decays per POT (computed from the parents'
        weights and BR(-> mu nu) when not given).
    facility : str
        Name of the facility simulated ("" if unknown, e.g. a user's sample).
    production : str
        Production backend, model name and version ("" if unknown).
    """

    pot: int
    parents: dict[str, ParentSample]
    muons: MuonSample
    produced_per_pot: dict[str, float] = field(default_factory=dict)
    produced: dict[str, ParentSample] = field(default_factory=dict)
    muons_wall: MuonSample | None = None
    muons_produced_per_pot: float | None = None
    facility: str = ""
    production: str = ""

    def __post_init__(self) -> None:
        if self.muons_produced_per_pot is None:
            total = sum(
                BR_MU_NU.get(name, 0.0) * float(np.sum(p.weight))
                for name, p in self.parents.items()
            )
            object.__setattr__(self, "muons_produced_per_pot", total)


@dataclass
class _Chunk:
    parent_p4: FloatArray
    vertex: FloatArray
    weight: FloatArray
    prod_p4: FloatArray
    prod_pos: FloatArray
    prod_weight: FloatArray
    mu_p4: FloatArray
    mu_pos: FloatArray
    mu_weight: FloatArray
    mu_status: NDArray[np.int8]


def _empty_chunk() -> _Chunk:
    """A chunk of no mesons (concatenation neutral; a species a generator never made)."""
    v3, v4 = np.zeros((0, 3)), np.zeros((0, 4))
    w = np.zeros(0)
    return _Chunk(v4, v3, w, v4, v3, w, v4, v3, w, np.zeros(0, dtype=np.int8))


def _simulate_chunk(
    species: str,
    start: int,
    n: int,
    norm: float,
    rng: np.random.Generator,
    config: BeamlineConfig,
    source: MesonSource,
    lambda_att: float,
) -> _Chunk:
    """Produce, track and decay rows ``start`` to ``start + n`` of the mesons of ``source``;
    ``norm`` = expected mesons per POT per row per unit interaction probability."""
    mass = SPECIES[species]
    facility = config.facility
    target = facility.target
    protons = config.interactions(n, rng, lambda_att)
    p, cos_t, w_ps = source.draw(species, start, n, rng)
    keep = w_ps > 0.0
    sin_t = np.sqrt(np.clip(1.0 - cos_t**2, 0.0, None))
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    local = np.column_stack((sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t))
    u0 = rotate_to(protons.direction, local)
    pos0 = protons.position
    w_prod = protons.weight * w_ps * norm
    # drop exact zeros (outside the parametrisation's support)
    p, u0, pos0, w_prod = p[keep], u0[keep], pos0[keep], w_prod[keep]
    m = len(p)
    charge = np.full(m, float(CHARGE[species]))
    horn = config.horn()
    apertures = facility.all_apertures()

    # ionisation loss: along the path in the (field-free) target where the meson is made,
    # then p (1 - w / R)^g after the path w in the conductor walls the tracker crosses
    p_t, alive = p, np.ones(m, dtype=bool)
    reach, expo = np.full(m, np.inf), np.zeros(m)
    if config.meson_energy_loss:
        medium = Medium.element(
            target.material,
            target.atomic_number,
            target.molar_mass,
            target.density,
            target.mean_excitation,
        )
        l_t = target.material_path(pos0, u0)
        p_t = momentum_after(p, mass, l_t, medium)
        alive = p_t > 0.0  # the rest range out in the target (no decay in flight)
        p_t = np.where(alive, p_t, p)
        reach, expo = wall_loss(p_t, mass, ALUMINIUM)

    def momentum_at(wall_path: FloatArray, rows: slice | NDArray[np.bool_] = slice(None)):
        """Momentum of ``rows`` after the target and ``wall_path`` of conductor, MeV/c."""
        return momentum_after_walls(p_t[rows], wall_path, reach[rows], mass, ALUMINIUM)

    def walls(rows: slice | NDArray[np.bool_] = slice(None)) -> dict[str, FloatArray]:
        return {"wall_range": reach[rows], "wall_exponent": expo[rows]}

    # pass 1: through the horn
    res = track(pos0, u0, p_t, charge, horn, step=config.tracking_step, record=True, **walls())
    w_surv = np.ones(m)
    if config.pion_absorption and species in ("pi+", "pi-"):
        w_surv = pion_survival(CHARGE[species], p, pos0, u0, res.wall_path, target)
    if config.kaon_absorption and species in ("K+", "K-"):
        w_surv = kaon_survival(species, p, pos0, u0, res.wall_path, target)
    s_h = res.path_length
    exited = res.status == TrackStatus.EXITED
    s_str = np.zeros(m)
    if np.any(exited):
        aps = tuple(a for a in apertures if a.z2 > horn.z_end)
        s_e, _, _ = straight_transport(res.position[exited], res.direction[exited], aps)
        s_str[exited] = s_e
    absorbed = res.status == TrackStatus.ABSORBED
    hall = np.zeros(m, dtype=bool)
    p_exit = momentum_at(res.wall_path)
    p_hall = p_exit
    if config.outer_conductor_transmission and np.any(absorbed):
        w_oc, s_oc, hall_lo, hall_hi, t_al = beyond_outer_conductor(
            species,
            p,
            res.position,
            res.direction,
            facility.horns,
            pion_absorption=config.pion_absorption,
            kaon_absorption=config.kaon_absorption,
        )
        p_hall = p_exit
        if config.meson_energy_loss:
            p_hall = momentum_after(p_exit, mass, t_al, ALUMINIUM)
        hall = absorbed & (s_oc > 0.0) & (p_hall > 0.0)  # the rest range out in it
        s_str = np.where(hall, s_oc, s_str)
        exited = exited | hall
    path = s_h + s_str

    # decay point on [0, path], at the momentum after the horn (the walls' loss is a few %)
    lam = decay_length(np.where(p_exit > 0.0, p_exit, p_t), mass, LIFETIME[species])
    s_d, p_dec = sample_decay_distance(rng, lam, path)
    if np.any(hall):
        # decays beyond the outer conductor carry its aluminium's survival
        w_surv = np.where(hall & (s_d >= s_h), w_surv * w_oc, w_surv)
    vertex = np.empty((m, 3))
    direction = np.empty((m, 3))
    p_decay = np.where(hall, p_hall, p_exit)
    outside = exited & (s_d >= s_h)
    vertex[outside] = res.position[outside] + (s_d - s_h)[outside, None] * res.direction[outside]
    direction[outside] = res.direction[outside]
    inside = ~outside
    if np.any(inside):
        res2 = track(
            pos0[inside],
            u0[inside],
            p_t[inside],
            charge[inside],
            horn,
            step=config.tracking_step,
            s_stop=s_d[inside],
            resume=checkpoints_of(res, inside),  # the same result, fewer steps
            **walls(inside),
        )
        vertex[inside] = res2.position
        direction[inside] = res2.direction
        p_decay[inside] = momentum_at(res2.wall_path, inside)
    alive &= p_decay > 0.0
    p_decay = np.where(alive, p_decay, p_t)
    p4 = np.column_stack((np.hypot(p_decay, mass), p_decay[:, None] * direction))
    weight = w_prod * w_surv * p_dec * alive

    # muons from pi/K -> mu nu
    mu_p4 = isotropic_two_body(rng, p4, mass, m_mu, 0.0)
    mu_p = np.linalg.norm(mu_p4[:, 1:], axis=1)
    mu_dir = mu_p4[:, 1:] / mu_p[:, None]
    s_mu, mu_end, mu_status = straight_transport(vertex, mu_dir, apertures)
    in_hall = hall & (s_d >= s_h)
    if np.any(in_hall):
        # muons of decays in the air region around the horn: straight to its boundary, stopped
        x_h, d_h = vertex[in_hall], mu_dir[in_hall]
        s_wall = hall_exit(x_h, d_h, hall_lo[in_hall], hall_hi[in_hall])
        s_mu[in_hall] = s_wall
        mu_end[in_hall] = x_h + s_wall[:, None] * d_h
        mu_status[in_hall] = StraightStatus.WALL
    survival = np.exp(-s_mu / decay_length(mu_p, m_mu, tau_mu))
    mu_weight = weight * BR_MU_NU[species] * survival
    prod_p4 = np.column_stack((np.hypot(p, mass), p[:, None] * u0))
    return _Chunk(p4, vertex, weight, prod_p4, pos0, w_prod, mu_p4, mu_end, mu_weight, mu_status)


def simulate(
    pot: int,
    seed: int,
    *,
    config: BeamlineConfig | None = None,
    progress: bool = False,
) -> BeamSample:
    """Simulate a facility's beamline for ``pot`` protons on target (statistics), seed ``seed``.

    Parameters
    ----------
    pot : int
        Number of protons on target whose statistics the sample should have:
        ``oversample[s] * pot * (mesons per interaction)`` mesons of each species
        are sampled from the BNB fits; an event generator makes ``pot`` collisions.
        All weights are per POT regardless.
    seed : int
        Seed of the :class:`numpy.random.Generator` (results are reproducible).
    config : BeamlineConfig, optional
        Defaults to the BNB in neutrino mode with the BNB fits.
    progress : bool
        Show a progress bar (rich).

    Returns
    -------
    BeamSample
    """
    if int(pot) < 1:
        raise BeamlineConfigError(f"pot must be a positive integer, got {pot!r}")
    pot = int(pot)
    config = config or BeamlineConfig()
    facility = config.facility
    backend = config.backend()
    backend.check(facility)
    if config.pi_plus_reweight is not None and backend.name != "bnb-fits":
        raise BeamlineConfigError(
            f"pi_plus_reweight reweights the Sanford-Wang pi+ of production 'bnb-fits', "
            f"not {backend.name!r}"
        )
    source = backend.mesons(
        facility, pot=pot, seed=seed, attenuation=config.attenuation, progress=progress
    )
    pi_plus_yield = 1.0
    if config.pi_plus_reweight is not None:
        reweight = config.pi_plus_reweight
        source = ReweightedSource(
            source.label + " with pi+ reweighted to a table",
            source.sigma_att,
            source.multiplicity,
            source,
            reweight,
            facility.p_beam,
        )
        pi_plus_yield = reweight.mean_weight(facility.p_beam)
    rng = np.random.default_rng(seed)
    lambda_att = interaction_length(source.sigma_att, facility.target.number_density)

    # mean interaction probability of a beam proton (for produced_per_pot)
    probe = config.interactions(200_000, np.random.default_rng([seed, 1]), lambda_att)
    p_int = float(np.mean(probe.weight))
    mult = source.multiplicity
    produced_per_pot = {s: p_int * mult[s] for s in SPECIES_PRODUCED}
    produced_per_pot["pi+"] *= pi_plus_yield

    counts = {s: source.rows(s, pot, config.oversample.get(s, 1.0)) for s in CHARGED}
    parents: dict[str, ParentSample] = {}
    produced: dict[str, ParentSample] = {}
    mu_parts: list[tuple[FloatArray, FloatArray, FloatArray, NDArray[np.int8], int]] = []
    with progress_bar(progress) as bar:
        task = bar.add_task(f"{facility.name} beamline: mesons", total=sum(counts.values()))
        for species in CHARGED:
            n_tot = counts[species]
            norm = mult[species] / n_tot if n_tot else 0.0
            chunks = [_empty_chunk()]
            for start in range(0, n_tot, config.chunk_size):
                n = min(config.chunk_size, n_tot - start)
                chunks.append(
                    _simulate_chunk(species, start, n, norm, rng, config, source, lambda_att)
                )
                bar.advance(task, n)
            cat = {
                k: np.concatenate([getattr(c, k) for c in chunks])
                for k in _Chunk.__dataclass_fields__
            }
            parents[species] = ParentSample(
                PDG[species], cat["parent_p4"], cat["vertex"], cat["weight"]
            )
            produced[species] = ParentSample(
                PDG[species], cat["prod_p4"], cat["prod_pos"], cat["prod_weight"]
            )
            mu_parts.append(
                (cat["mu_p4"], cat["mu_pos"], cat["mu_weight"], cat["mu_status"], CHARGE[species])
            )

    def _muons(select: int) -> MuonSample:
        p4s, poss, ws, qs = [], [], [], []
        for p4, pos, w, st, q in mu_parts:
            sel = (st == select) & (w > 0.0)
            p4s.append(p4[sel])
            poss.append(pos[sel])
            ws.append(w[sel])
            qs.append(np.full(int(np.count_nonzero(sel)), q, dtype=np.int8))
        return MuonSample(
            np.concatenate(p4s), np.concatenate(poss), np.concatenate(ws), np.concatenate(qs)
        )

    muons_all = float(sum(BR_MU_NU[s] * np.sum(parents[s].weight) for s in CHARGED))
    return BeamSample(
        pot=pot,
        parents=parents,
        muons=_muons(StraightStatus.END),
        produced_per_pot=produced_per_pot,
        produced=produced,
        muons_wall=_muons(StraightStatus.WALL),
        muons_produced_per_pot=muons_all,
        facility=facility.name,
        production=source.label,
    )
