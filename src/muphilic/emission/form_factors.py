"""Targets and the electromagnetic form factor G2(t) of a nucleus for one-photon exchange.

The photon exchanged between the muon and a nucleus (Z, A) of four-momentum
transfer ``t = -q^2 > 0`` couples to

    G2(t) = G2_el(t) + G2_inel(t),

the function multiplying ``(P + P')^mu (P + P')^nu / t^2`` in the squared matrix
element (it carries the Z^2 of coherent scattering).

Elastic (coherent) part
    ``G2_el = Z^2 S_atom(t) F_N(t)^2`` with the nuclear charge form factor F_N

    * ``"helm"`` (default): Helm's form factor
      ``F = 3 j1(q r_n)/(q r_n) exp(-(q s)^2/2)`` with the parameters of Lewin &
      Smith, Astropart. Phys. 6 (1996) 87: ``c = 1.23 A^(1/3) - 0.60 fm``,
      ``a = 0.52 fm``, ``s = 0.9 fm``, ``r_n^2 = c^2 + 7/3 pi^2 a^2 - 5 s^2``;
    * ``"tsai"``: the dipole-like fit ``F^2 = 1/(1 + t/d)^2``,
      ``d = 0.164 GeV^2 A^(-2/3)`` (Y.-S. Tsai, Rev. Mod. Phys. 46 (1974) 815;
      as used by Bjorken, Essig, Schuster, Toro, PRD 80 (2009) 075018, Eq. A18),

    and the atomic screening of the Thomas-Fermi atom ``S_atom = (a^2 t/(1 +
    a^2 t))^2``, ``a = 111 Z^(-1/3)/m_e`` (same references).

Inelastic (incoherent, quasi-elastic on the Z protons) part
    ``G2_inel = Z S'_atom(t) W2_p(t) [1 - F_N(t)^2]`` with

    * ``W2_p = G_D^2 (1 + tau mu_p^2)/(1 + tau)``, ``tau = t/(4 m_p^2)``, the
      Rosenbluth structure of an elastic proton with dipole form factors
      ``G_E = G_M/mu_p = G_D = 1/(1 + t/0.71 GeV^2)^2``. (Bjorken et al. write
      the square of the same bracket; the two differ only at t > 0.1 GeV^2,
      where the integrand is negligible here.)
    * ``S'_atom = (a'^2 t/(1 + a'^2 t))^2``, ``a' = 773 Z^(-2/3)/m_e`` (Tsai);
    * ``1 - F_N^2``: the closure (Pauli-blocking) suppression of incoherent
      scattering in an independent-particle nucleus, which removes the
      unphysical quasi-elastic strength at small t (switch off with
      ``pauli=False`` to recover Tsai's form). The proton is treated as a
      structureless target of mass m_p in the exact 2 -> 3 (W1 neglected,
      Fermi motion neglected).

The muon-electron process mu e -> mu e S (charge Z, not Z^2) is not included:
about 1/Z = 4 % of the elastic rate for iron, and kinematically softer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import (
    AMU_C2,
    MU_PROTON,
    N_AVOGADRO,
    GeV,
    cm3,
    fm,
    g,
    hbarc,
    m_e,
    m_proton,
    mole,
)
from muphilic.errors import MuphilicError

__all__ = [
    "DEFAULT_FORM_FACTOR",
    "TARGETS",
    "FormFactor",
    "Target",
    "TargetError",
    "g2_elastic",
    "g2_inelastic",
    "get_target",
    "nuclear_form_factor",
]

FloatArray = NDArray[np.float64]

# Model parameters of the form factors (cited in the module docstring).
_HELM_C1 = 1.23 * fm
_HELM_C0 = 0.60 * fm
_HELM_A = 0.52 * fm
_HELM_S = 0.9 * fm
_TSAI_D0 = 0.164 * GeV**2
_TSAI_A_EL = 111.0
_TSAI_A_INEL = 773.0
_DIPOLE_MASS2 = 0.71 * GeV**2


class TargetError(MuphilicError):
    """Unknown target or an unphysical target definition."""


@dataclass(frozen=True)
class Target:
    """A material whose nuclei the muon scatters off.

    Parameters
    ----------
    name : str
        Chemical symbol.
    Z : int
        Atomic number.
    A : float
        Atomic mass in u (g/mol); its rounded value is the mass number.
    density : float
        Mass density (CLHEP units, e.g. ``7.874 * g / cm3``).
    """

    name: str
    Z: int
    A: float
    density: float

    def __post_init__(self) -> None:
        if self.Z < 1 or self.A < self.Z or self.density <= 0:
            raise TargetError(
                f"target {self.name!r}: need Z >= 1, A >= Z, density > 0 "
                f"(got Z={self.Z}, A={self.A}, density={self.density})"
            )

    @property
    def mass_number(self) -> int:
        """Nearest integer to A."""
        return round(self.A)

    @property
    def nucleus_mass(self) -> float:
        """Mass of the nucleus, MeV (A u c^2; electron masses and binding neglected)."""
        return self.A * AMU_C2

    @property
    def number_density(self) -> float:
        """Nuclei per unit volume, mm^-3 (rho N_A / A)."""
        return self.density * N_AVOGADRO / (self.A * g / mole)


#: Targets with PDG "Atomic and nuclear properties of materials" values (Z, A, rho).
TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("Be", 4, 9.012182, 1.848 * g / cm3),
        Target("C", 6, 12.0107, 2.210 * g / cm3),
        Target("O", 8, 15.9994, 1.332e-3 * g / cm3),
        Target("Na", 11, 22.98976928, 0.971 * g / cm3),
        Target("Mg", 12, 24.3050, 1.740 * g / cm3),
        Target("Al", 13, 26.9815385, 2.699 * g / cm3),
        Target("Si", 14, 28.0855, 2.329 * g / cm3),
        Target("Ca", 20, 40.078, 1.550 * g / cm3),
        Target("Mn", 25, 54.938044, 7.440 * g / cm3),
        Target("Fe", 26, 55.845, 7.874 * g / cm3),
        Target("Cu", 29, 63.546, 8.960 * g / cm3),
        Target("W", 74, 183.84, 19.30 * g / cm3),
        Target("Pb", 82, 207.2, 11.35 * g / cm3),
    )
}


def get_target(target: str | Target) -> Target:
    """Look a target up by symbol (``"Fe"``) or pass a :class:`Target` through."""
    if isinstance(target, Target):
        return target
    try:
        return TARGETS[target]
    except KeyError:
        raise TargetError(
            f"unknown target {target!r}; known: {', '.join(sorted(TARGETS))} "
            "(or pass a muphilic.emission.form_factors.Target)"
        ) from None


@dataclass(frozen=True)
class FormFactor:
    """Choice of form-factor model (see the module docstring).

    Parameters
    ----------
    elastic : {"helm", "tsai"}
        Nuclear charge form factor of the coherent part.
    inelastic : bool
        Include the incoherent scattering off the Z protons.
    pauli : bool
        Suppress the incoherent part by ``1 - F_N^2`` (closure).
    """

    elastic: Literal["helm", "tsai"] = "helm"
    inelastic: bool = True
    pauli: bool = True

    def __post_init__(self) -> None:
        if self.elastic not in ("helm", "tsai"):
            raise TargetError(f"elastic must be 'helm' or 'tsai', got {self.elastic!r}")

    def key(self) -> dict[str, object]:
        """JSON-ready description (for cache keys)."""
        return {"elastic": self.elastic, "inelastic": self.inelastic, "pauli": self.pauli}

    def g2(self, t: ArrayLike, target: Target) -> FloatArray:
        """G2(t) for ``target``; ``t = -q^2`` in MeV^2."""
        out = g2_elastic(t, target, self.elastic)
        if self.inelastic:
            out = out + g2_inelastic(t, target, self.elastic if self.pauli else None)
        return out


#: The default model: Helm elastic, incoherent proton part with Pauli suppression.
DEFAULT_FORM_FACTOR = FormFactor()


def nuclear_form_factor(
    t: ArrayLike, target: Target, model: Literal["helm", "tsai"] = "helm"
) -> FloatArray:
    """Nuclear charge form factor F_N(t), normalised to F_N(0) = 1.

    Parameters
    ----------
    t : array
        ``-q^2``, MeV^2 (>= 0).
    target : Target
    model : {"helm", "tsai"}
    """
    t = np.asarray(t, dtype=np.float64)
    if model == "tsai":
        d = _TSAI_D0 * target.mass_number ** (-2.0 / 3.0)
        return 1.0 / (1.0 + t / d)
    c = _HELM_C1 * target.mass_number ** (1.0 / 3.0) - _HELM_C0
    rn = np.sqrt(c**2 + 7.0 / 3.0 * np.pi**2 * _HELM_A**2 - 5.0 * _HELM_S**2)
    q = np.sqrt(np.maximum(t, 0.0)) / hbarc  # mm^-1
    qr = q * rn
    small = qr < 1e-3
    qr_safe = np.where(small, 1.0, qr)
    j1_over = (np.sin(qr_safe) - qr_safe * np.cos(qr_safe)) / qr_safe**3
    three_j1 = np.where(small, 1.0 - qr**2 / 10.0, 3.0 * j1_over)
    return three_j1 * np.exp(-0.5 * (q * _HELM_S) ** 2)


def _screening(t: FloatArray, a: float) -> FloatArray:
    x = a**2 * t
    return (x / (1.0 + x)) ** 2


def g2_elastic(t: ArrayLike, target: Target, model: Literal["helm", "tsai"] = "helm") -> FloatArray:
    """Coherent part ``Z^2 S_atom(t) F_N(t)^2`` (module docstring); t in MeV^2."""
    t = np.asarray(t, dtype=np.float64)
    a = _TSAI_A_EL * target.Z ** (-1.0 / 3.0) / m_e
    return target.Z**2 * _screening(t, a) * nuclear_form_factor(t, target, model) ** 2


def g2_inelastic(
    t: ArrayLike, target: Target, pauli_model: Literal["helm", "tsai"] | None = "helm"
) -> FloatArray:
    """Incoherent proton part ``Z S'_atom W2_p [1 - F_N^2]`` (module docstring).

    ``pauli_model=None`` drops the ``1 - F_N^2`` factor (Tsai's original form).
    """
    t = np.asarray(t, dtype=np.float64)
    a = _TSAI_A_INEL * target.Z ** (-2.0 / 3.0) / m_e
    tau = t / (4.0 * m_proton**2)
    gd2 = 1.0 / (1.0 + t / _DIPOLE_MASS2) ** 4
    w2 = gd2 * (1.0 + tau * MU_PROTON**2) / (1.0 + tau)
    out = target.Z * _screening(t, a) * w2
    if pauli_model is not None:
        out = out * (1.0 - nuclear_form_factor(t, target, pauli_model) ** 2)
    return out
