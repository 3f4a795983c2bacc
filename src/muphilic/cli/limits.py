"""``muphilic reach`` and ``muphilic roadmap``: the limits, projections and g-2 band of a
run with their files, and every packaged detector side by side."""

from __future__ import annotations

import json
from typing import Any

import click

from muphilic.cli.common import (
    OptionError,
    _allow_long_runs_option,
    _console,
    _json_option,
    _load_run_config,
    _positive,
)
from muphilic.cli.entry import app
from muphilic.errors import MuphilicError


def _check_scheduler(address: str) -> None:
    """Connect to a dask scheduler once before the computation starts."""
    from distributed import Client

    try:
        with Client(address, timeout=10):
            pass
    except (OSError, ValueError, TypeError) as err:
        detail = " ".join(str(err).split())
        raise OptionError("--scheduler", f"cannot connect to {address!r} ({detail})") from None


@app.command(name="reach")
@click.option(
    "--out",
    "out_dir",
    default="muphilic-output",
    show_default=True,
    help="Folder for the plot, contours and summary.",
)
@click.option(
    "--experiments",
    default=None,
    help="Comma-separated detectors (default: miniboone,microboone,sbnd).",
)
@click.option("--cl", type=float, default=None, help="Exclusion confidence, Gaussian sigma.")
@click.option(
    "--g2",
    "g2_label",
    type=click.Choice(["2023", "2025"]),
    default=None,
    help="g-2 measurement and theory for the band.",
)
@click.option(
    "--statistic", type=click.Choice(["paper", "likelihood"]), default=None, help="Test statistic."
)
@click.option(
    "--mode",
    type=click.Choice(["exclusion", "discovery"]),
    default=None,
    help="discovery: 3 and 5 sigma discovery reach of expected curves and projections.",
)
@click.option("--config", "config_path", default=None, help="Run configuration (TOML).")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Worker processes for the mass points (default: one per core).",
)
@click.option("--scheduler", default=None, help="Address of a dask.distributed scheduler.")
@click.option(
    "--band",
    is_flag=True,
    help="Also compute each contour's band: Monte Carlo error and model variations.",
)
@click.option(
    "--band-production",
    is_flag=True,
    help="With --band: add the beam variations (production models urqmd and sibyll, "
    "no kaon absorption; each simulates a beam sample once, then cached).",
)
@_allow_long_runs_option
@click.option("--facility", default=None, help="Beamline of the run (default: the config's).")
@_json_option
def reach_command(
    out_dir: str,
    experiments: str | None,
    cl: float | None,
    g2_label: str | None,
    statistic: str | None,
    mode: str | None,
    config_path: str | None,
    workers: int | None,
    scheduler: str | None,
    band: bool,
    band_production: bool,
    allow_long_runs: bool,
    facility: str | None,
    as_json: bool,
) -> None:
    """Exclusion limits, projections and the g-2 band (the paper's Fig 6) with files."""
    from dataclasses import replace

    from rich.table import Table

    from muphilic.config import check_inputs
    from muphilic.pipeline import prepare_output_folder, reach, result_keys, write_outputs

    run = _load_run_config(config_path, allow_long_runs)
    if facility is not None:
        from muphilic.roadmap import facility_key

        try:
            key = facility_key(facility)
        except MuphilicError as err:
            raise OptionError("--facility", str(err)) from None
        run = replace(run, beam=replace(run.beam, facility=key, production=""))
    if experiments:
        names = tuple(e.strip().lower() for e in experiments.split(",") if e.strip())
        run = replace(run, experiments=names)
    if cl is not None:
        _positive("--cl", cl)
        run = replace(run, statistics=replace(run.statistics, cl_sigma=cl))
    if g2_label:
        run = replace(run, g2_scenario=g2_label)
    if statistic:
        run = replace(run, statistics=replace(run.statistics, method=statistic))
    if mode:
        run = replace(run, statistics=replace(run.statistics, mode=mode))
    if workers is not None and workers < 1:
        raise OptionError("--workers", f"must be at least 1, got {workers}")
    if band_production and not (band or run.band.enabled):
        raise OptionError("--band-production", "only means something with --band")
    if band or band_production:
        run = replace(
            run,
            band=replace(run.band, enabled=True, production=band_production or run.band.production),
        )
    run = run.validate()
    check_inputs(run)
    prepare_output_folder(out_dir, result_keys(run), run.band.enabled)
    if scheduler is not None:
        _check_scheduler(scheduler)
    result = reach(run, progress=not as_json, n_workers=workers, scheduler=scheduler)
    files = write_outputs(result, out_dir)
    summary = result.summary()
    summary["files"] = [str(f) for f in files]
    _warn_clipped(summary)
    if as_json:
        click.echo(json.dumps(summary, indent=2, allow_nan=False))
        return
    table = Table(title="g-2 favoured band covered (m_S range, MeV)")
    table.add_column("experiment")
    table.add_column("curve")
    table.add_column("range", justify="right")
    kinds = {key: entry["kind"] for key, entry in summary["experiments"].items()}
    kinds["union"] = "exclusion (observed data only)"
    kinds["union_with_expected"] = "exclusion + expected"
    for key, interval in summary["g2_band_excluded_MeV"].items():
        text = "none" if interval is None else f"{interval[0]:.1f} - {interval[1]:.1f}"
        table.add_row(key, kinds.get(key, ""), text)
    _console.print(table)
    if "band" in summary:
        _print_band(summary["band"])
    _console.print(f"wrote {len(files)} files to {out_dir}/ (reach.png, reach.pdf, contours)")


def _print_band(record: dict[str, Any]) -> None:
    """The Monte Carlo width of each contour and the largest shift of each variation."""
    from rich.table import Table

    table = Table(title="contour bands (relative, in y)")
    table.add_column("experiment")
    table.add_column("MC width")
    table.add_column("in g-2 band", justify="right")
    for key, mc in record["mc"].items():
        median, in_g2 = mc["median_relative_width"], mc["max_relative_width_in_g2_band"]
        table.add_row(
            key,
            "-" if median is None else f"{100 * median:.2g} %",
            "-" if in_g2 is None else f"{100 * in_g2:.2g} %",
        )
    _console.print(table)
    shifts = Table(title="largest boundary shift of each variation (lower / upper edge)")
    shifts.add_column("variation")
    keys = list(record["mc"])
    for key in keys:
        shifts.add_column(key, justify="right")
    for name, entry in record["variations"].items():
        if entry["status"] != "run":
            shifts.add_row(name, *([entry["status"]] * len(keys)))
            continue
        cells = []
        for key in keys:
            row = entry["experiments"].get(key, {})
            if not row.get("applies"):
                cells.append("-")
                continue
            lo, hi = row["lower_max_abs_shift"], row["upper_max_abs_shift"]
            cells.append(" / ".join("-" if v is None else f"{100 * v:.2g} %" for v in (lo, hi)))
        shifts.add_row(name, *cells)
    _console.print(shifts)


@app.command(name="roadmap")
@click.option("--out", "out_dir", default="muphilic-roadmap", show_default=True, help="Folder.")
@click.option("--config", "config_path", default=None, help="Run configuration (TOML).")
@click.option(
    "--facilities",
    default=None,
    help="Comma-separated packaged facilities whose detectors to draw "
    "[default: every facility with packaged detectors].",
)
@click.option(
    "--dump-muons-off-bnb",
    is_flag=True,
    help="Keep the dump-muon channel off the BNB (its thick-iron model overestimates it there).",
)
@click.option(
    "--pot",
    "pot_options",
    multiple=True,
    help="Simulated POT of a facility's beam sample, FACILITY=N (default: the config's).",
)
@click.option("--workers", type=int, default=1, show_default=True, help="Local processes.")
@_allow_long_runs_option
@_json_option
def roadmap_command(
    out_dir: str,
    config_path: str | None,
    facilities: str | None,
    dump_muons_off_bnb: bool,
    pot_options: tuple[str, ...],
    workers: int,
    allow_long_runs: bool,
    as_json: bool,
) -> None:
    """Every packaged detector at its facility's nominal exposure, beside the BNB (one figure)."""
    from muphilic.beamline.facility_file import available_facilities
    from muphilic.roadmap import roadmap, roadmap_facilities, table_csv, write_roadmap

    run = _load_run_config(config_path, allow_long_runs)
    if facilities is None:
        keys = roadmap_facilities()
    else:
        keys = tuple(k.strip().lower() for k in facilities.split(",") if k.strip())
    for key in keys:
        if key not in available_facilities():
            raise OptionError("--facilities", f"unknown facility {key!r}: {available_facilities()}")
    pots: dict[str, int] = {}
    for text in pot_options:
        key, _, value = text.partition("=")
        if key.strip().lower() not in keys or not value.strip().isdigit() or int(value) < 1:
            raise OptionError("--pot", f"expected FACILITY=N for one of {list(keys)}, got {text!r}")
        pots[key.strip().lower()] = int(value)
    if workers < 1:
        raise OptionError("--workers", f"must be at least 1, got {workers}")
    result = roadmap(
        run,
        facilities=keys,
        pot=pots,
        progress=not as_json,
        n_workers=workers,
        dump_muons_off_bnb=dump_muons_off_bnb,
    )
    files = write_roadmap(result, out_dir)
    if as_json:
        payload = {"detectors": result.rows, "files": [str(f) for f in files]}
        click.echo(json.dumps(payload, indent=2, allow_nan=False))
        return
    click.echo(table_csv(result.rows), nl=False)
    _console.print(f"wrote {len(files)} files to {out_dir}/ (roadmap.png, .pdf, .csv)")


def _warn_clipped(summary: dict[str, Any]) -> None:
    """Say on stderr which regions are cut by the edge of the scanned range."""
    for key, entry in summary["experiments"].items():
        if entry["clipped_by_scan"]:
            click.echo(
                f"muphilic: warning: the {key} region reaches the edge of the scanned "
                "(m_S, y) range; its boundary there is the scan's, not the data's "
                "(widen [scan], see at_scan_edge in the contour files)",
                err=True,
            )
