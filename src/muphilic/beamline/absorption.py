"""Absorption of pions and kaons in the target and the horns' aluminium.

Cross sections: the pion-nucleus parametrisations of the BNB GEANT4 simulation
(SBNSoftware/G4BNB ``src/BooNEHadronCrossSections.cc`` with the parameters of
``input/production.in``, packaged in ``data/beamline/g4bnb_pion_xsec_parameters.json``)::

    sigma(p) = BW(p) + T(p) R(p)
    BW(p)    = N (m Gamma)^2 / ((M0^2 - m^2)^2 + (m Gamma)^2),  m = sqrt((E_pi + m_p)^2 - p^2)
    T(p)     = (1 + tanh(s (p - p0))) / 2
    R(p)     = A + B p^n + C (ln p)^2 + D ln p                  [mb, p in GeV/c]

(the call in G4BNB passes its parameters 8 and 9 as the exponent n and the ln^2
coefficient C; we follow the code). A pion is *removed* by the inelastic minus
quasi-elastic part (quasi-elastically scattered pions are kept, undeflected);
secondary pions from these interactions are not generated.

Kaons: G4BNB has no BNB-specific kaon-nucleus cross sections (its kaons use
GEANT4's). We take GEANT4's Glauber-Gribov kaon-nucleus model
(``G4ComponentGGHadronNucleusXsc``, V. Grichine, Eur. Phys. J. C 62 (2009) 399)::

    sigma(K A) = 2 pi R^2 ln(1 + c x) / c,   x = (Z s_p + N s_n) / (2 pi R^2),
    R = 1.3 fm A^(1/3),  c = 2.2

with the kaon-nucleon cross sections s_p, s_n of GEANT4's FTF parametrisation
(``G4ComponentGGHadronNucleusXsc::GetHNinelasticXscVU``, V. Uzhinsky, fits to
the PDG data; p in GeV/c, mb)::

    K+ p: total 18.1 + 0.26 L^2 - 1.0 L,  elastic 5.0 + 8.1 p^-1.8 + 0.16 L^2 - 1.3 L
    K+ n: total 18.7 + 0.21 L^2 - 0.89 L, elastic 7.3 + 0.29 L^2 - 2.4 L    (L = ln p)
    K- p: total 32.1 + 0.66 L^2 - 5.6 L,  elastic 7.3 + 0.29 L^2 - 2.4 L
    K- n: total 25.2 + 0.38 L^2 - 2.9 L,  elastic 5.0 + 8.1 p^-1.8 + 0.16 L^2 - 1.3 L

and K0L as the mean of K+ and K-, as GEANT4 does. Like the pions', the kaons'
*absorption* cross section is the production part (GEANT4's "production" cross
section: the same form with the kaon-nucleon inelastic cross sections, total
minus elastic): a quasi-elastically scattered kaon is kept. The model works for
any nucleus (Z, A), so kaon absorption needs no per-material parameters.
The tests check the same Glauber-Gribov form, with GEANT4's pion coefficients,
against G4BNB's independent pion-Be and pion-Al fits.

Pions in other materials (the graphite targets of NuMI and J-PARC): GEANT4's
Glauber-Gribov pion-nucleus production cross section (:func:`pion_absorption_xsec_any`),
checked in the tests against the evaluated pi-C and pi-Al inelastic cross sections of
Barashenkov's compilation as GEANT4 tabulates them (``G4PiNuclearCrossSection``).
:func:`pion_absorption_length_in` picks the G4BNB fit for Be and Al and the
Glauber-Gribov form for any other nucleus.

Densities: the target's from its facility file (BNB: Be 1.848 g/cm3, GDML); the
horn conductors' Al 2.7 g/cm3 (GDML ALUMINIUM).
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import (
    A_ALUMINIUM,
    A_BERYLLIUM,
    N_AVOGADRO,
    RHO_ALUMINIUM,
    RHO_BERYLLIUM,
    Z_ALUMINIUM,
    GeV,
    barn,
    fm,
    m_pi,
    m_proton,
)
from muphilic.data import data_file

if TYPE_CHECKING:
    from muphilic.beamline.target import Target

__all__ = [
    "ABSORBING_NUCLEI",
    "KAONS",
    "absorption_length",
    "aluminium_absorption_length",
    "geant4_pion_radius_fm",
    "glauber_gribov",
    "kaon_absorption_length",
    "kaon_absorption_xsec",
    "kaon_nucleon_xsec",
    "kaon_survival",
    "path_in_target",
    "pion_absorption_length_in",
    "pion_absorption_xsec",
    "pion_absorption_xsec_any",
    "pion_inelastic_xsec_any",
    "pion_survival",
]

#: Nuclei with G4BNB pion absorption cross sections.
ABSORBING_NUCLEI = ("Be", "Al")

FloatArray = NDArray[np.float64]

#: Kaon species with absorption cross sections.
KAONS = ("K+", "K-", "K0L")

_MB = 1.0e-3 * barn
_N_AL = RHO_ALUMINIUM / A_ALUMINIUM * N_AVOGADRO
_N_BE = RHO_BERYLLIUM / A_BERYLLIUM * N_AVOGADRO


@cache
def _params() -> dict[str, list[float]]:
    text = data_file("beamline", "g4bnb_pion_xsec_parameters.json").read_text()
    data = json.loads(text)
    return {k: [float(x) for x in v] for k, v in data["parameters"].items()}


def _form(p: FloatArray, par: list[float]) -> FloatArray:
    """BW + threshold * Regge of G4BNB, p in GeV/c, mb."""
    par = list(par) + [0.0] * (10 - len(par))
    n_bw, m0, gamma, p0, s, a, b, n_exp, c_ln2, d_ln = par[:10]
    mpi, mp = m_pi / GeV, m_proton / GeV
    e = np.sqrt(p**2 + mpi**2)
    mass = np.sqrt((e + mp) ** 2 - p**2)
    bw = n_bw * (mass * gamma) ** 2 / ((m0**2 - mass**2) ** 2 + (mass * gamma) ** 2)
    thr = 0.5 * (1.0 + np.tanh(s * (p - p0)))
    lp = np.log(p)
    regge = a + b * np.power(p, n_exp) + c_ln2 * lp**2 + d_ln * lp
    return bw + thr * regge


def pion_absorption_xsec(momentum: FloatArray, charge: int, nucleus: str) -> FloatArray:
    """Inelastic minus quasi-elastic pi+- cross section on ``"Be"`` or ``"Al"`` (CLHEP area).

    Valid for 0.5-11 GeV/c (the G4BNB range); momenta are clipped to it.
    """
    if nucleus not in ABSORBING_NUCLEI or charge not in (1, -1):
        raise ValueError(f"no pion cross section for charge {charge} on {nucleus!r}")
    pref = "pip" if charge > 0 else "pim"
    par = _params()
    p = np.clip(np.asarray(momentum, dtype=float) / GeV, 0.5, 11.0)
    ine = _form(p, par[f"{pref}{nucleus}_inelastic"])
    qel = _form(p, par[f"{pref}{nucleus}_quasielastic"])
    return np.maximum(ine - qel, 0.0) * _MB


def absorption_length(
    momentum: FloatArray, charge: int, nucleus: str, number_density: float | None = None
) -> FloatArray:
    """Mean free path (mm) of a pion against absorption in Be or Al.

    ``number_density`` (nuclei per volume) defaults to the GDML density of the nucleus.
    """
    if number_density is None:
        number_density = _N_BE if nucleus == "Be" else _N_AL
    return 1.0 / (number_density * pion_absorption_xsec(momentum, charge, nucleus))


def _kn_pieces(p: FloatArray) -> dict[str, tuple[FloatArray, FloatArray]]:
    """(total, elastic) K-nucleon cross sections in mb of GEANT4's FTF fits, p in GeV/c."""
    lp = np.log(p)
    l2 = lp**2
    kp_tot = 18.1 + 0.26 * l2 - 1.0 * lp
    kn_tot = 18.7 + 0.21 * l2 - 0.89 * lp
    kmp_tot = 32.1 + 0.66 * l2 - 5.6 * lp
    kmn_tot = 25.2 + 0.38 * l2 - 2.9 * lp
    el_a = 5.0 + 8.1 * np.power(p, -1.8) + 0.16 * l2 - 1.3 * lp
    el_b = 7.3 + 0.29 * l2 - 2.4 * lp
    return {
        "K+p": (kp_tot, el_a),
        "K+n": (kn_tot, el_b),
        "K-p": (kmp_tot, el_b),
        "K-n": (kmn_tot, el_a),
    }


def kaon_nucleon_xsec(momentum: FloatArray, species: str, nucleon: str, part: str) -> FloatArray:
    """Kaon-nucleon cross section (CLHEP area) of GEANT4's FTF parametrisation.

    Parameters
    ----------
    momentum : array
        Kaon momentum (MeV/c in CLHEP units); clipped to 0.5-100 GeV/c.
    species : {"K+", "K-", "K0L"}
    nucleon : {"p", "n"}
    part : {"total", "elastic", "inelastic"}
    """
    if species not in KAONS or nucleon not in ("p", "n"):
        raise ValueError(f"no kaon-nucleon cross section for {species!r} on {nucleon!r}")
    if part not in ("total", "elastic", "inelastic"):
        raise ValueError(f"part must be 'total', 'elastic' or 'inelastic', got {part!r}")
    p = np.clip(np.asarray(momentum, dtype=float) / GeV, 0.5, 100.0)
    pieces = _kn_pieces(p)
    charges = ("K+", "K-") if species == "K0L" else (species,)
    out = np.zeros_like(p)
    for c in charges:
        tot, el = pieces[f"{c}{nucleon}"]
        val = {"total": tot, "elastic": el, "inelastic": np.maximum(tot - el, 0.0)}[part]
        out = out + val / len(charges)
    return out * _MB


def glauber_gribov(sigma_hn_sum: FloatArray, mass_number: int, radius_fm: float, c: float):
    """GEANT4's Glauber-Gribov hadron-nucleus form ``2 pi R^2 ln(1 + c x)/c`` (CLHEP area).

    ``sigma_hn_sum`` is Z sigma_hp + N sigma_hn (CLHEP area), ``radius_fm`` R in fm.
    """
    if mass_number < 2:
        return np.asarray(sigma_hn_sum, dtype=float)
    square = 2.0 * math.pi * (radius_fm * fm) ** 2
    return square * np.log1p(c * np.asarray(sigma_hn_sum) / square) / c


def kaon_absorption_xsec(
    momentum: FloatArray, species: str, atomic_number: int, mass_number: int
) -> FloatArray:
    """Absorption (production) cross section of K+, K- or K0L on a nucleus (CLHEP area).

    GEANT4's Glauber-Gribov kaon form with R = 1.3 fm A^(1/3) and c = 2.2 and the
    kaon-nucleon inelastic cross sections of :func:`kaon_nucleon_xsec`; momenta
    are clipped to 0.5-100 GeV/c (below 0.5 GeV/c the value at 0.5 GeV/c).
    """
    if atomic_number < 1 or mass_number < atomic_number:
        raise ValueError(f"invalid nucleus Z={atomic_number}, A={mass_number}")
    n_neutrons = mass_number - atomic_number
    hn = atomic_number * kaon_nucleon_xsec(
        momentum, species, "p", "inelastic"
    ) + n_neutrons * kaon_nucleon_xsec(momentum, species, "n", "inelastic")
    radius = 1.3 * mass_number ** (1.0 / 3.0)
    return glauber_gribov(hn, mass_number, radius, 2.2)


def _pion_nucleon_inelastic(p: FloatArray, charge: int) -> tuple[FloatArray, FloatArray]:
    """(pi p, pi n) inelastic cross sections in mb of GEANT4's FTF fits, p in GeV/c."""
    lp = np.log(p)
    l2 = lp**2
    same = 16.4 + 19.3 * p**-0.42 + 0.19 * l2 - (11.4 * p**-0.40 + 0.079 * l2)
    other = (33.0 + 14.0 * p**-1.36 + 0.456 * l2 - 4.03 * lp) - (
        1.76 + 11.2 * p**-0.64 + 0.043 * l2
    )
    return (same, other) if charge > 0 else (other, same)


def _pion_nucleon_total(p: FloatArray, charge: int) -> tuple[FloatArray, FloatArray]:
    """(pi p, pi n) total cross sections in mb of GEANT4's FTF fits, p in GeV/c."""
    lp = np.log(p)
    l2 = lp**2
    same = 16.4 + 19.3 * p**-0.42 + 0.19 * l2
    other = 33.0 + 14.0 * p**-1.36 + 0.456 * l2 - 4.03 * lp
    return (same, other) if charge > 0 else (other, same)


def geant4_pion_radius_fm(mass_number: int) -> float:
    """GEANT4's Glauber-Gribov nucleus radius for pions and nucleons (fm)."""
    a = float(mass_number)
    r = 1.08 * a ** (1.0 / 3.0)
    if a > 20:
        return r * (0.8 + 0.2 * math.exp(-(a - 20.0) / 20.0))
    return r * (1.0 + 0.1 * (1.0 - math.exp((a - 20.0) / 20.0)))


def pion_absorption_xsec_any(
    momentum: FloatArray, charge: int, atomic_number: int, mass_number: int
) -> FloatArray:
    """Pion absorption (production) cross section on any nucleus (CLHEP area).

    GEANT4's Glauber-Gribov form for pions (R of :func:`geant4_pion_radius_fm`,
    c = 2.4) with the FTF pion-nucleon inelastic cross sections
    (``GetHNinelasticXscVU``); momenta clipped to 0.5-100 GeV/c. For Be and Al
    prefer G4BNB's fits (:func:`pion_absorption_xsec`), which this reproduces
    to 10 % (Al) and 20 % (Be) at 2-5 GeV/c.
    """
    if charge not in (1, -1):
        raise ValueError(f"pion charge must be +1 or -1, got {charge}")
    p = np.clip(np.asarray(momentum, dtype=float) / GeV, 0.5, 100.0)
    on_p, on_n = _pion_nucleon_inelastic(p, charge)
    hn = (atomic_number * on_p + (mass_number - atomic_number) * on_n) * _MB
    return glauber_gribov(hn, mass_number, geant4_pion_radius_fm(mass_number), 2.4)


def pion_inelastic_xsec_any(
    momentum: FloatArray, charge: int, atomic_number: int, mass_number: int
) -> FloatArray:
    """Pion-nucleus *inelastic* cross section (production plus quasi-elastic; CLHEP area).

    The Glauber-Gribov form of :func:`pion_absorption_xsec_any` with the FTF
    pion-nucleon *total* cross sections (GEANT4's inelastic hadron-nucleus
    cross section); for comparisons with inelastic data. Momenta clipped to
    0.5-100 GeV/c.
    """
    if charge not in (1, -1):
        raise ValueError(f"pion charge must be +1 or -1, got {charge}")
    p = np.clip(np.asarray(momentum, dtype=float) / GeV, 0.5, 100.0)
    on_p, on_n = _pion_nucleon_total(p, charge)
    hn = (atomic_number * on_p + (mass_number - atomic_number) * on_n) * _MB
    return glauber_gribov(hn, mass_number, geant4_pion_radius_fm(mass_number), 2.4)


def pion_absorption_length_in(
    momentum: FloatArray,
    charge: int,
    material: str,
    atomic_number: int,
    mass_number: int,
    number_density: float,
) -> FloatArray:
    """Mean free path (mm) of a pion against absorption in any material.

    G4BNB's fits (:func:`absorption_length`) for ``material`` ``"Be"`` or ``"Al"``
    (the BNB's numbers, unchanged), GEANT4's Glauber-Gribov production cross
    section (:func:`pion_absorption_xsec_any`) of nucleus (Z, A) otherwise.
    """
    if material in ABSORBING_NUCLEI:
        return absorption_length(momentum, charge, material, number_density)
    sigma = pion_absorption_xsec_any(momentum, charge, atomic_number, mass_number)
    return 1.0 / (number_density * sigma)


def kaon_absorption_length(
    momentum: FloatArray,
    species: str,
    atomic_number: int,
    mass_number: int,
    number_density: float,
) -> FloatArray:
    """Mean free path (mm) of a kaon against absorption among ``number_density`` nuclei."""
    sigma = kaon_absorption_xsec(momentum, species, atomic_number, mass_number)
    return 1.0 / (number_density * sigma)


def aluminium_absorption_length(momentum: FloatArray, species: str) -> FloatArray:
    """Mean free path (mm) of ``species`` (pi+-, K+-) against absorption in the horns'
    aluminium (GDML density): G4BNB's pion fit, GEANT4's Glauber-Gribov form for kaons."""
    if species in ("pi+", "pi-"):
        return absorption_length(momentum, 1 if species == "pi+" else -1, "Al")
    if species in ("K+", "K-"):
        return kaon_absorption_length(momentum, species, Z_ALUMINIUM, 27, _N_AL)
    raise ValueError(f"no absorption length in aluminium for {species!r}")


def path_in_target(
    position: FloatArray,
    direction: FloatArray,
    radius: float,
    z_max: float,
    segments: tuple[tuple[float, float], ...] = (),
) -> FloatArray:
    """Straight path length (mm) through target material from points inside the target.

    The target is a cylinder of ``radius`` ending at ``z_max``; with more than one
    ``segments`` (z1, z2), only the path inside the segments counts.
    """
    x, y, z = position[:, 0], position[:, 1], position[:, 2]
    ux, uy, uz = direction[:, 0], direction[:, 1], direction[:, 2]
    a = ux**2 + uy**2
    b = 2.0 * (x * ux + y * uy)
    c = np.minimum(x**2 + y**2 - radius**2, 0.0)
    safe_a = np.where(a > 0.0, a, 1.0)
    s_side = np.where(a > 0.0, (-b + np.sqrt(b**2 - 4.0 * a * c)) / (2.0 * safe_a), math.inf)
    if len(segments) <= 1:
        s_back = np.where(uz > 0.0, (z_max - z) / np.where(uz > 0.0, uz, 1.0), math.inf)
        return np.maximum(np.minimum(s_side, s_back), 0.0)
    # path with z inside each segment, cut at the side exit; rays along z stay inside
    # their segment for ever unless they move along z
    safe_uz = np.where(uz != 0.0, uz, 1.0)
    total = np.zeros(len(z))
    for z1, z2 in segments:
        t1, t2 = (z1 - z) / safe_uz, (z2 - z) / safe_uz
        lo = np.where(uz != 0.0, np.minimum(t1, t2), np.where((z >= z1) & (z < z2), 0.0, 1.0))
        hi = np.where(uz != 0.0, np.maximum(t1, t2), np.where((z >= z1) & (z < z2), s_side, 0.0))
        total += np.clip(np.minimum(hi, s_side) - np.maximum(lo, 0.0), 0.0, None)
    return total


def kaon_survival(
    species: str,
    momentum: FloatArray,
    position: FloatArray,
    direction: FloatArray,
    wall_path: FloatArray,
    target: Target,
) -> FloatArray:
    """Probability that kaons leave the target and cross ``wall_path`` (mm) of the horns'
    aluminium without being absorbed (straight path in the target's material, its sleeve
    and fins included, momentum MeV/c)."""
    l_t = target.material_path(position, direction)
    lam_t = kaon_absorption_length(
        momentum, species, target.atomic_number, target.mass_number, target.number_density
    )
    lam_al = aluminium_absorption_length(momentum, species)
    return np.exp(-l_t / lam_t - wall_path / lam_al)


def pion_survival(
    charge: int,
    momentum: FloatArray,
    position: FloatArray,
    direction: FloatArray,
    wall_path: FloatArray,
    target: Target,
) -> FloatArray:
    """Probability that pions of ``charge`` leave the target and cross ``wall_path`` (mm) of
    the horns' aluminium without being absorbed (straight path in the target's material,
    momentum MeV/c): G4BNB's fits in Be and Al, the Glauber-Gribov form in other target nuclei."""
    l_t = target.material_path(position, direction)
    lam_t = pion_absorption_length_in(
        momentum,
        charge,
        target.material,
        target.atomic_number,
        target.mass_number,
        target.number_density,
    )
    return np.exp(-l_t / lam_t - wall_path / absorption_length(momentum, charge, "Al"))
