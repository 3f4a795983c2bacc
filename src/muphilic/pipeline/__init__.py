"""The whole chain for the paper's Fig. 6: beam -> emission -> detection -> recast -> limits.

:func:`reach` runs it on a :class:`muphilic.config.RunConfig` (the paper's
choices by default) and returns a :class:`ReachResult`; :func:`write_outputs`
turns that into the plot, contour files and summary a paper needs.

Modules
-------
* :mod:`~muphilic.pipeline.experiments` - :func:`detector_for` and
  :func:`published_spectrum`: each experiment's detector and spectrum.
* :mod:`~muphilic.pipeline.signal_for_mass` - :class:`SignalForMass`, the signal
  the scan evaluates, and :func:`signal_settings`.
* :mod:`~muphilic.pipeline.curves` - :func:`curve_kind`, :func:`result_keys` and
  the discovery contours.
* :mod:`~muphilic.pipeline.result` - :class:`ReachResult` and its records.
* :mod:`~muphilic.pipeline.chain` - :func:`reach`.
* :mod:`~muphilic.pipeline.outputs` - :func:`output_names`,
  :func:`prepare_output_folder`, :func:`write_outputs`.

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.pipeline.chain import reach
from muphilic.pipeline.curves import (  # noqa: F401 (outside __all__, as before the split)
    DISCOVERY_SIGMAS,
    curve_kind,
    discovery_key,
    has_measured_data,
    result_keys,
)
from muphilic.pipeline.experiments import (  # noqa: F401 (outside __all__, as before the split)
    FloatArray,
    detector_for,
    published_spectrum,
)
from muphilic.pipeline.outputs import (  # noqa: F401 (outside __all__, as before the split)
    footnote,
    output_names,
    prepare_output_folder,
    write_outputs,
)
from muphilic.pipeline.result import ReachResult
from muphilic.pipeline.signal_for_mass import (  # noqa: F401 (outside __all__, as before the split)
    SignalForMass,
    _embed,
    signal_settings,
)

__all__ = [
    "ReachResult",
    "SignalForMass",
    "curve_kind",
    "detector_for",
    "output_names",
    "prepare_output_folder",
    "published_spectrum",
    "reach",
    "result_keys",
    "write_outputs",
]
