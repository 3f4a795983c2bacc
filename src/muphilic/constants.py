"""Physical constants and particle properties: the one place they live.

Units
-----
muphilic uses the CLHEP system of units of :mod:`hepunits` everywhere inside the
package: **MeV, mm and ns are 1**. A quantity is a plain float (or NumPy array)
in those base units; multiply by a unit when a number enters and divide by one
when it leaves (input parsing, output files, plots)::

    >>> from muphilic.constants import MeV, GeV, m, cm, s
    >>> round(8 * GeV / MeV)
    8000
    >>> 541 * m / cm
    54100.0

Sources
-------
* Masses and lifetimes: the PDG tables shipped with :mod:`particle`
  (R. L. Workman et al. (PDG), and later editions as packaged).
* ``c_light``, ``hbar``, ``hbarc``: :mod:`hepunits.constants` (CODATA).
* Everything else is cited next to its value.
"""

from __future__ import annotations

import math

from hepunits import constants as _c
from hepunits import units as _u
from particle import Particle

__all__ = [
    "BR_K_TO_MU_NU",
    "BR_PI_TO_MU_NU",
    "CKM_VUD",
    "CKM_VUS",
    "DEDX_IRON_PAPER",
    "F_K",
    "F_PI",
    "G_FERMI",
    "N_IRON_PAPER",
    "TWO_M_MU",
    "GeV",
    "MeV",
    "alpha_em",
    "barn",
    "c_light",
    "cm",
    "cm2",
    "cm3",
    "g",
    "hbar",
    "hbarc",
    "kA",
    "keV",
    "m",
    "m_K",
    "m_K0L",
    "m_e",
    "m_mu",
    "m_neutron",
    "m_pi",
    "m_pi0",
    "m_proton",
    "mm",
    "ns",
    "pi",
    "s",
    "tau_K",
    "tau_K0L",
    "tau_mu",
    "tau_pi",
    "tesla",
    "tonne",
]

pi = math.pi

# --- units (hepunits, CLHEP convention: MeV = mm = ns = 1) -------------------
MeV: float = _u.MeV
keV: float = _u.keV
GeV: float = _u.GeV
mm: float = _u.mm
cm: float = _u.cm
m: float = _u.m
cm2: float = _u.cm2
cm3: float = _u.cm3
ns: float = _u.ns
s: float = _u.s
barn: float = _u.barn
g: float = _u.g
tesla: float = _u.tesla
kA: float = 1000.0 * _u.ampere
tonne: float = 1000.0 * _u.kg

# --- fundamental constants ----------------------------------------------------
c_light: float = _c.c_light  # mm / ns
hbar: float = _c.hbar  # MeV ns
hbarc: float = _c.hbarc  # MeV mm

#: Fine-structure constant at q^2 = 0, CODATA 2022 (alpha^-1 = 137.035999177).
alpha_em: float = 1.0 / 137.035999177

#: Fermi constant, PDG 2024 (from the muon lifetime): 1.1663788e-5 GeV^-2.
G_FERMI: float = 1.1663788e-5 / GeV**2


# --- particle masses and lifetimes (PDG via `particle`) ------------------------
def _mass(pdgid: int) -> float:
    value = Particle.from_pdgid(pdgid).mass
    if value is None:  # pragma: no cover - guarded by the PDG table
        raise RuntimeError(f"no PDG mass for {pdgid}")
    return float(value) * MeV


def _lifetime(pdgid: int) -> float:
    value = Particle.from_pdgid(pdgid).lifetime
    if value is None:  # pragma: no cover - guarded by the PDG table
        raise RuntimeError(f"no PDG lifetime for {pdgid}")
    return float(value) * ns


m_e: float = _mass(11)
m_mu: float = _mass(13)
m_pi: float = _mass(211)
m_pi0: float = _mass(111)
m_K: float = _mass(321)
m_K0L: float = _mass(130)
m_proton: float = _mass(2212)
m_neutron: float = _mass(2112)

tau_mu: float = _lifetime(13)
tau_pi: float = _lifetime(211)
tau_K: float = _lifetime(321)
tau_K0L: float = _lifetime(130)

#: The kinematic end of this model: S -> mu+ mu- opens at 2 m_mu.
TWO_M_MU: float = 2.0 * m_mu

# --- meson decay constants, CKM elements and leptonic branching ratios ---------
#: pi+ decay constant, PDG 2024 review "Leptonic decays of charged pseudoscalar
#: mesons" (FLAG 2021, N_f = 2+1+1): f_pi = 130.2(8) MeV.
F_PI: float = 130.2 * MeV
#: K+ decay constant, same source: f_K = 155.7(3) MeV.
F_K: float = 155.7 * MeV
#: |V_ud|, PDG 2024 CKM review (superallowed beta decays): 0.97367(32).
CKM_VUD: float = 0.97367
#: |V_us|, PDG 2024 CKM review (K_l3 and K_mu2 average): 0.22431(85).
CKM_VUS: float = 0.22431
#: BR(pi+ -> mu+ nu_mu), PDG 2024: 99.98770(4) %.
BR_PI_TO_MU_NU: float = 0.9998770
#: BR(K+ -> mu+ nu_mu), PDG 2024: 63.56(11) %.
BR_K_TO_MU_NU: float = 0.6356

# --- the iron beam dump as modelled in the paper -------------------------------
#: Number density of iron nuclei used in the paper (Eq. (5)): 8.6e22 cm^-3.
#: (PDG iron, rho = 7.874 g/cm^3 and A = 55.845, gives 8.49e22 cm^-3.)
N_IRON_PAPER: float = 8.6e22 / cm3
#: The paper's conservative mean muon energy loss in iron, 16 MeV/cm (its ref. [31]).
DEDX_IRON_PAPER: float = 16.0 * MeV / cm

# --- muon scattering in the dump (emission/muon_scattering) -------------------
#: Femtometre (hepunits), for nuclear radii.
fm: float = _u.fermi
#: Atomic mass unit times c^2, CODATA 2018: 931.49410242 MeV.
AMU_C2: float = 931.49410242 * MeV
#: Proton magnetic moment in nuclear magnetons, CODATA 2018: 2.79284734463.
MU_PROTON: float = 2.79284734463

# --- amounts of substance, and the NC pi0 cross section of the recast ----------
#: Kilogram and mole (hepunits).
kg: float = _u.kg
mole: float = _u.mole
#: Avogadro constant, per mole (:mod:`hepunits.constants`, exact since SI 2019).
N_AVOGADRO: float = _c.Avogadro
#: Molar mass of natural argon, 39.948(1) g/mol (PDG "Atomic and nuclear properties
#: of materials", argon; IUPAC standard atomic weight).
M_MOLAR_ARGON: float = 39.948 * _u.g / _u.mole
#: MicroBooNE flux-averaged NC pi0 cross section with no visible proton ("0p"),
#: 0.624 (+-0.131 syst +-0.075 stat) x 1e-38 cm^2 per argon nucleus (P. Abratenko et
#: al. (MicroBooNE), Phys. Rev. D 107 (2023) 012004, arXiv:2205.07943, abstract).
SIGMA_NCPI0_0P_MICROBOONE: float = 0.624e-38 * _u.cm2

# --- the beamline: materials, horn, muon energy loss ---------------------------
#: milliradian (hepunits).
mrad: float = _u.mrad
#: Vacuum permeability, mu0 = 4 pi 1e-7 T m / A (CODATA 2018: 1.00000000055 times
#: this; the difference is irrelevant for the horn field).
MU0: float = 4.0e-7 * math.pi * _u.tesla * _u.m / _u.ampere
#: Beryllium target density and molar mass as used by the BNB GEANT4 geometry,
#: SBNSoftware/G4BNB geometry/BooNE_50m.gdml (material BERILLIUM): 1.848 g/cm3,
#: 9.012182 g/mol.
RHO_BERYLLIUM: float = 1.848 * _u.g / _u.cm3
A_BERYLLIUM: float = 9.012182 * _u.g / _u.mole
#: Aluminium of the horn conductors, same GDML (material ALUMINIUM): 2.7 g/cm3,
#: 26.981539 g/mol.
RHO_ALUMINIUM: float = 2.7 * _u.g / _u.cm3
A_ALUMINIUM: float = 26.981539 * _u.g / _u.mole
#: Atomic number of aluminium.
Z_ALUMINIUM: int = 13
#: Mean excitation energies I of the meson-stopping materials (PDG "Atomic and nuclear
#: properties of materials": beryllium 63.7 eV, carbon (graphite) 78.0 eV, aluminium
#: 166.0 eV), by element symbol: the ionisation loss of mesons in a facility's target and
#: in the horns' conductors (:mod:`muphilic.beamline.energy_loss`).
MEAN_EXCITATION: dict[str, float] = {
    "Be": 63.7 * _u.eV,
    "C": 78.0 * _u.eV,
    "Al": 166.0 * _u.eV,
}
#: Iron: Z = 26, A = 55.845 g/mol, density 7.874 g/cm3, mean excitation energy
#: I = 286.0 eV (PDG "Atomic and nuclear properties of materials", Fe).
Z_IRON: int = 26
A_IRON: float = 55.845 * _u.g / _u.mole
RHO_IRON: float = 7.874 * _u.g / _u.cm3
I_IRON: float = 286.0 * _u.eV
#: Sternheimer density-effect parameters of iron (PDG table, from Sternheimer,
#: Berger and Seltzer, At. Data Nucl. Data Tables 30 (1984) 261):
#: -C = 4.2911, x0 = -0.0012, x1 = 3.1531, a = 0.14680, k = 2.9632, delta0 = 0.12.
STERNHEIMER_IRON: tuple[float, float, float, float, float, float] = (
    4.2911,
    -0.0012,
    3.1531,
    0.14680,
    2.9632,
    0.12,
)
#: Classical electron radius r_e = alpha hbar c / (m_e c^2) (derived, CODATA).
R_ELECTRON: float = alpha_em * hbarc / m_e
#: BR(K+ -> pi0 mu+ nu) (K_mu3), PDG 2024: 3.353(34) %.
BR_K_TO_PI0_MU_NU: float = 0.03353

# --- modelled NC pi0 backgrounds of the road-map detectors (muphilic.recast.ncpi0) ---
#: nu_mu N charged-current inclusive cross section per nucleon over E_nu (isoscalar
#: target, high-energy world average): PDG Review of Particle Physics, "Neutrino
#: cross-section measurements", sigma/E = 0.677e-38 cm^2/GeV.
SIGMA_CC_NUMU_PER_GEV: float = 0.677e-38 * _u.cm2 / _u.GeV
#: Ratio of NC pi0 production to the total nu_mu CC rate on polystyrene at a mean
#: neutrino energy of 1.16 GeV: SciBooNE, Y. Kurimoto et al., PRD 81, 033004 (2010),
#: arXiv:0910.5768, (7.7 +- 0.5 (stat) +- 0.5 (sys)) x 10^-2.
RATIO_NCPI0_TO_CC_SCIBOONE: float = 0.077
#: MiniBooNE nu_mu NC single-pi0 cross section on CH2 per nucleon, flux-averaged over
#: the BNB (mean E_nu 808 MeV): arXiv:0911.2063 (PRD 81, 013005),
#: (4.76 +- 0.05 (stat) +- 0.76 (sys)) x 10^-40 cm^2/nucleon. A reference, not an input.
SIGMA_NCPI0_MINIBOONE_PER_NUCLEON: float = 4.76e-40 * _u.cm2
SIGMA_NCPI0_MINIBOONE_REL_UNCERTAINTY: float = 0.16

__all__ += [
    "RATIO_NCPI0_TO_CC_SCIBOONE",
    "SIGMA_CC_NUMU_PER_GEV",
    "SIGMA_NCPI0_MINIBOONE_PER_NUCLEON",
    "SIGMA_NCPI0_MINIBOONE_REL_UNCERTAINTY",
]
