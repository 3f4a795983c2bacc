"""The ``muphilic`` command line: a thin layer over the Python API.

Every subcommand prints a human summary, or one JSON object with ``--json``.
Bad input ends with exit status 2 and a one-line message naming the option.

One module per group of commands, each registering its commands on the group
:data:`~muphilic.cli.entry.app`: :mod:`~muphilic.cli.physics` (``scalar``,
``xsec``), :mod:`~muphilic.cli.beamline` (``beam``, ``facilities``),
:mod:`~muphilic.cli.detection` (``spectrum``), :mod:`~muphilic.cli.limits`
(``reach``, ``roadmap``) and :mod:`~muphilic.cli.housekeeping` (``config``,
``cache``); :mod:`~muphilic.cli.common` holds what they share and
:mod:`~muphilic.cli.entry` the group and :func:`main`, the console script. Every
command imports the heavy parts of the package only when it runs, so that
``muphilic --help`` starts quickly.
"""

from __future__ import annotations

from muphilic.cli.beamline import beam, facilities
from muphilic.cli.common import OptionError
from muphilic.cli.detection import spectrum
from muphilic.cli.entry import app, main
from muphilic.cli.housekeeping import cache, config
from muphilic.cli.limits import reach_command, roadmap_command
from muphilic.cli.physics import scalar, xsec

__all__ = [
    "OptionError",
    "app",
    "beam",
    "cache",
    "config",
    "facilities",
    "main",
    "reach_command",
    "roadmap_command",
    "scalar",
    "spectrum",
    "xsec",
]
