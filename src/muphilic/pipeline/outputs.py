"""The files of a run: their names, the check of the folder before any computation, and
the plot, contours, g-2 band and summary written together."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from muphilic.cache import file_sha256
from muphilic.errors import MuphilicError
from muphilic.files import OutputFolderError, atomic_write, check_writable_folder, staged_files
from muphilic.g2 import g2_scenario
from muphilic.pipeline.result import ReachResult
from muphilic.recast.contours import exclusion_contour
from muphilic.recast.output import (
    write_contour_csv,
    write_contours_json,
    write_g2_band_csv,
    write_hepdata_yaml,
)
from muphilic.recast.plot import plot_reach

__all__ = ["output_names", "prepare_output_folder", "write_outputs"]


def output_names(experiments: Sequence[str], band: bool = False) -> list[str]:
    """The names of the files :func:`write_outputs` writes for ``experiments``
    (with ``band``: also each contour's band, ``band_<experiment>.csv``).

    Raises
    ------
    MuphilicError
        If two experiments would write the same contour file (detector files
        with the same stem in different folders).
    """
    contours: dict[str, str] = {}
    for key in experiments:
        name = f"contour_{Path(key).stem}.csv"
        if name in contours:
            raise MuphilicError(
                f"experiments: {contours[name]} and {key} would both write {name}; "
                "rename one detector file"
            )
        contours[name] = key
    bands = [f"band_{Path(key).stem}.csv" for key in experiments] if band else []
    return [
        "reach.png",
        "reach.pdf",
        *contours,
        *bands,
        "g2_band.csv",
        "contours.json",
        "contours_hepdata.yaml",
        "run.json",
    ]


def _previous_outputs(out: Path) -> dict[str, str]:
    """Name -> SHA-256 of the files an earlier run recorded in ``out/run.json``."""
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        outputs = record["outputs"]
        if isinstance(outputs, dict) and all(isinstance(v, str) for v in outputs.values()):
            return {str(k): v for k, v in outputs.items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}


def prepare_output_folder(
    out_dir: str | Path, experiments: Sequence[str], band: bool = False
) -> Path:
    """Check, before any computation, that a run can write its files to ``out_dir``.

    The folder is created if needed and must be writable. A file of the run's
    that already exists there must be one an earlier muphilic run wrote and
    recorded, unchanged since, in ``run.json``: nothing else is ever replaced.

    Raises
    ------
    MuphilicError
        Naming the folder or the file that stands in the way.
    """
    out = check_writable_folder(out_dir)
    names = output_names(experiments, band)
    previous = _previous_outputs(out)
    for name in names:
        path = out / name
        if not path.exists():
            continue
        if name == "run.json" and previous:
            continue
        if path.is_dir() or previous.get(name) != file_sha256(path):
            raise OutputFolderError(
                f"{path}: exists and is not an unchanged output of an earlier muphilic run; "
                "move it away or choose another --out folder"
            )
    return out


def footnote(result: ReachResult) -> str:
    """One line for the plot: statistic, each detector's POT and the beam source."""
    pot = ", ".join(
        f"{s.experiment} {result.detectors[k]['pot']:.3g}"
        + (
            f" + {nubar['pot']:.3g} nubar"
            if (nubar := result.detectors[k]["background"].get("antineutrino_mode"))
            else ""
        )
        for k, s in result.scans.items()
    )
    beam = result.beam
    if beam.get("source") == "file":
        source = f"beam from {Path(beam['path']).name} ({beam['pot']:.3g} POT)"
    elif beam.get("source") == "embedded simulation":
        source = f"embedded beam simulation ({beam['pot']:.3g} POT, seed {beam['seed']})"
    else:
        source = f"beam sample of {beam.get('pot', 0):.3g} POT"
    return f"statistic: {result.config.statistics.method}; POT: {pot}; {source}"


def _band_plot(result: ReachResult) -> dict[str, Any]:
    """The band arguments of :func:`plot_reach` for ``result`` (none without bands)."""
    if not result.bands:
        return {}
    from muphilic.recast.bands import band_legend

    return {
        "bands": [result.bands.get(key) for key in result.scans],
        "band_label": band_legend(result.config.band.names()),
    }


def write_outputs(result: ReachResult, out_dir: str | Path) -> list[Path]:
    """Write the reach plot (PNG, PDF), each contour (CSV), the g-2 band (CSV),
    all contours (JSON, HEPData-style YAML) and the run summary with its
    configuration (JSON).

    All files are written together or not at all (see
    :func:`muphilic.files.staged_files`); ``run.json`` records the SHA-256 of
    the others, so that a later run replaces them, and removes those it does not
    write again, only while they are unchanged. Files the package did not write
    are never replaced (:func:`prepare_output_folder`).
    """
    band = bool(result.bands)
    out = prepare_output_folder(out_dir, list(result.scans), band)
    previous = _previous_outputs(out)
    names = output_names(list(result.scans), band)
    contours = [exclusion_contour(s) for s in result.scans.values()]
    summary = result.summary()
    g2 = g2_scenario(result.config.g2_scenario)
    scans = list(result.scans.values())
    with staged_files(out) as stage:
        plot_reach(scans, stage / "reach", g2=g2, footnote=footnote(result), **_band_plot(result))
        for name, contour in zip(names[2 : 2 + len(contours)], contours, strict=True):
            write_contour_csv(contour, stage / name)
        if band:
            from muphilic.recast.bands import band_file_name, write_band_csv

            legend = summary["band"]["contains"]
            for key, contour_band in result.bands.items():
                write_band_csv(contour_band, stage / band_file_name(key), legend)
        mass_range = (
            min(float(s.masses_MeV[0]) for s in scans),
            max(float(s.masses_MeV[-1]) for s in scans),
        )
        write_g2_band_csv(g2, mass_range, stage / "g2_band.csv")
        write_contours_json(contours, stage / "contours.json", extra=summary)
        write_hepdata_yaml(contours, stage / "contours_hepdata.yaml")
        outputs = {p.name: file_sha256(p) for p in sorted(stage.iterdir())}
        record = {**summary, "config": result.config.to_dict(), "outputs": outputs}
        atomic_write(stage / "run.json", json.dumps(record, indent=2, allow_nan=False) + "\n")
    for name, digest in previous.items():
        stale = out / name
        if name not in names and stale.is_file() and file_sha256(stale) == digest:
            stale.unlink()
    return [out / name for name in names]
