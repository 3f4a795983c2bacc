"""Hadron production in the target: backends chosen by name, one produced-meson table.

A backend (:class:`ProductionBackend`) takes a facility
(:class:`muphilic.beamline.facility.Facility`) and returns a
:class:`MesonSource`: the proton attenuation cross section, the mesons per
interaction and meson momenta to draw. The beamline's horn, decay and muon
machinery never asks which backend made them.

* ``bnb-fits`` (:mod:`.bnb_fits`, :mod:`.sampling`): the G4BNB parametrisations
  of p-Be at 8.89 GeV/c; refuses other targets and energies.
* ``urqmd``, ``sibyll`` (:mod:`.generators`): UrQMD 3.4 and SIBYLL 2.3d through
  ``chromo`` (``pip install 'muphilic[generators]'``), generated on the target
  nucleus in worker processes, cached in resumable chunks.

Select one with the facility file's ``production`` key, ``[beam] production``
or ``muphilic beam --production NAME``; :func:`get_backend` returns it.

The names of the former module ``muphilic.beamline.production`` (the BNB
parametrisations) are re-exported here.
"""

from __future__ import annotations

from muphilic.beamline.production.backends import (
    BACKENDS,
    BnbFits,
    FitSource,
    available_backends,
    get_backend,
)
from muphilic.beamline.production.base import (
    ATTENUATIONS,
    CHARGED,
    SPECIES_PRODUCED,
    MesonSource,
    MesonTable,
    ProductionBackend,
    ProductionError,
)
from muphilic.beamline.production.bnb_fits import (
    K_MINUS_TO_K_PLUS,
    SPECIES,
    FeynmanScaling,
    ProductionModel,
    ProductionParameterError,
    SanfordWang,
    integrated_xsec,
    load_production_parameters,
    multiplicity,
    phase_space_limits,
    production_model,
    production_xsec,
)
from muphilic.beamline.production.generators import ChromoBackend

__all__ = [
    "ATTENUATIONS",
    "BACKENDS",
    "CHARGED",
    "K_MINUS_TO_K_PLUS",
    "SPECIES",
    "SPECIES_PRODUCED",
    "BnbFits",
    "ChromoBackend",
    "FeynmanScaling",
    "FitSource",
    "MesonSource",
    "MesonTable",
    "ProductionBackend",
    "ProductionError",
    "ProductionModel",
    "ProductionParameterError",
    "SanfordWang",
    "available_backends",
    "get_backend",
    "integrated_xsec",
    "load_production_parameters",
    "multiplicity",
    "phase_space_limits",
    "production_model",
    "production_xsec",
]
