"""A user's measured spectrum as a CSV file: the drop-in format :data:`CSV_FORMAT`.

:func:`read_spectrum_csv` reads (and validates, naming the file, row, column or
metadata field at fault) a spectrum that replaces the packaged model;
:func:`write_spectrum_csv` writes one in the same format.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np

from muphilic.errors import shown
from muphilic.recast.spectra.spectrum import FloatArray, PublishedSpectrum, SpectrumError

__all__ = [
    "CSV_FORMAT",
    "MAX_SPECTRUM_BINS",
    "MAX_SPECTRUM_BYTES",
    "read_spectrum_csv",
    "write_spectrum_csv",
]


# ---------------------------------------------------------------------------------
# CSV drop-in format
# ---------------------------------------------------------------------------------
#: Most bins a spectrum CSV file may hold (the covariance of Eq. (7) is n_bins x n_bins).
MAX_SPECTRUM_BINS = 10_000
#: Longest spectrum CSV file read, bytes (10 000 rows of 17-digit numbers take about 1 MB).
MAX_SPECTRUM_BYTES = 16 << 20

CSV_FORMAT = """\
A spectrum CSV file has optional metadata lines, then a header row and one row per bin:

    # name: MicroBooNE
    # pot: 5.89e20
    # window_MeV: 10, 120
    # statistic: poisson
    # systematics: flux=0.1, detector=0.05
    # source: arXiv:2205.07943 Fig. 10
    mgg_low_MeV,mgg_high_MeV,data,background
    0,10,0,0.2
    10,20,3,2.7
    ...

Columns (comma separated, any order, extra columns ignored, no name twice):
  mgg_low_MeV, mgg_high_MeV  bin edges in MeV; bins contiguous and increasing
  data                       observed events in the bin (>= 0)
  background                 predicted background events in the bin (>= 0; > 0 in
                             every bin of the window that has data > 0)
Metadata (lines '# key: value' with a one-word key; each key at most once):
  pot          protons on target of the counts (required)
  name         experiment name (default: the file name)
  window_MeV   fit window 'low, high' in MeV (default: all bins); must hold a bin
  statistic    'poisson' (Eq. (8), default) or 'covariance' (Eq. (7))
  systematics  fully correlated fractions of the background, 'key=value, ...'
  source       free text
Other '#' lines (no colon, or more than one word before it) are comments.
At most 10 000 bins and 16 MiB.

Inside the window, a bin with data > 0 and no background would make the
background-only prediction impossible (chi^2 = infinity: every signal excluded),
so it is refused. A bin with no data and no background is allowed with the
Poisson statistic, where it still constrains the signal (its chi^2 term is 2 s),
and refused with 'covariance', whose matrix it makes singular.
"""

_REQUIRED_COLUMNS = ("mgg_low_MeV", "mgg_high_MeV", "data", "background")
_METADATA_KEYS = ("name", "pot", "window_mev", "statistic", "systematics", "source")
_METADATA_KEY = re.compile(r"[A-Za-z_]+")


def _parse_metadata(lines: list[str], path: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.lstrip("#").strip().partition(":")
        key = key.strip().lower()
        if not sep or not _METADATA_KEY.fullmatch(key):
            continue  # a comment
        if key not in _METADATA_KEYS:
            raise SpectrumError(
                f"{path}: unknown metadata field {key!r}; known fields are "
                f"{[k.replace('_mev', '_MeV') for k in _METADATA_KEYS]} (write other notes "
                "without a 'word:' prefix)"
            )
        if key in meta:
            raise SpectrumError(f"{path}: metadata field {key!r} is given twice")
        meta[key] = value.strip()
    return meta


def _read_text(path: Path) -> str:
    try:
        if not path.is_file():
            raise SpectrumError(f"{path}: no such spectrum file")
        if path.stat().st_size > MAX_SPECTRUM_BYTES:
            raise SpectrumError(
                f"{path}: larger than {MAX_SPECTRUM_BYTES} bytes, too large for a spectrum file"
            )
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpectrumError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SpectrumError(f"{path}: cannot read ({exc.strerror})") from None


def _columns(body: list[str], path: Path) -> dict[str, FloatArray]:
    """The four required columns of the CSV body (header row first), as arrays."""
    try:
        rows = list(csv.reader(body))
    except csv.Error as exc:
        raise SpectrumError(f"{path}: malformed CSV ({exc})") from None
    header = [h.strip() for h in rows[0]]
    for col in _REQUIRED_COLUMNS:
        if col not in header:
            raise SpectrumError(f"{path}: missing column {col!r} (header has {header})")
        if header.count(col) > 1:
            raise SpectrumError(f"{path}: column {col!r} appears more than once in the header")
    if len(rows) - 1 > MAX_SPECTRUM_BINS:
        raise SpectrumError(f"{path}: more than {MAX_SPECTRUM_BINS} data rows (bins)")
    index = {col: header.index(col) for col in _REQUIRED_COLUMNS}
    values: dict[str, list[float]] = {col: [] for col in _REQUIRED_COLUMNS}
    for row_no, row in enumerate(rows[1:], start=1):
        if len(row) > len(header):
            raise SpectrumError(
                f"{path}: data row {row_no} has more fields than the header ({len(header)})"
            )
        for col, i in index.items():
            raw = row[i].strip() if i < len(row) else ""
            try:
                val = float(raw)
            except ValueError:
                raise SpectrumError(
                    f"{path}: column {col!r}, data row {row_no}: {shown(raw)} is not a number"
                ) from None
            if not math.isfinite(val):
                raise SpectrumError(f"{path}: column {col!r}, data row {row_no}: not finite")
            if val < 0 and col in ("data", "background"):
                bin_ = f"bin {values['mgg_low_MeV'][-1]:g}-{values['mgg_high_MeV'][-1]:g} MeV"
                raise SpectrumError(
                    f"{path}: column {col!r}, data row {row_no} ({bin_}): negative count {val:g}"
                )
            values[col].append(val)
    if not values["data"]:
        raise SpectrumError(f"{path}: no data rows")
    return {col: np.array(v) for col, v in values.items()}


def _check_edges(low: FloatArray, high: FloatArray, path: Path) -> None:
    if np.any(high <= low):
        row = int(np.flatnonzero(high <= low)[0]) + 1
        raise SpectrumError(f"{path}: column 'mgg_high_MeV', data row {row}: not above mgg_low_MeV")
    gaps = np.abs(low[1:] - high[:-1]) > 1e-9 * np.max(np.abs(high))
    if np.any(gaps):
        row = int(np.flatnonzero(gaps)[0]) + 2
        raise SpectrumError(
            f"{path}: column 'mgg_low_MeV', data row {row}: bins must be contiguous "
            "(each mgg_low_MeV equal to the previous mgg_high_MeV)"
        )


def _check_counts(spectrum: PublishedSpectrum, path: Path) -> None:
    """Refuse bins the statistics cannot use (see :data:`CSV_FORMAT`)."""
    e, d, b = spectrum.edges_MeV, spectrum.data, spectrum.background

    def where(i: int) -> str:
        return f"{path}: bin {e[i]:g}-{e[i + 1]:g} MeV (data row {i + 1})"

    try:
        sl = spectrum.window_slice()
    except SpectrumError:
        raise SpectrumError(
            f"{path}: metadata field 'window_MeV': no bin lies inside {spectrum.window_MeV}"
        ) from None
    inside = np.arange(spectrum.n_bins)[sl]
    no_background = inside[(b[sl] <= 0) & (d[sl] > 0)]
    if no_background.size:
        i = int(no_background[0])
        raise SpectrumError(
            f"{where(i)}: {d[i]:g} events observed but a background of {b[i]:g}; the "
            "background-only prediction would be impossible and every signal excluded"
        )
    empty = inside[(b[sl] <= 0) & (d[sl] <= 0)]
    if empty.size and spectrum.paper_statistic == "covariance":
        raise SpectrumError(
            f"{where(int(empty[0]))}: no data and no background make the covariance of "
            "Eq. (7) singular; use '# statistic: poisson' or a window without the bin"
        )


def _pot(meta: dict[str, str], path: Path) -> float:
    if "pot" not in meta:
        raise SpectrumError(f"{path}: metadata field 'pot' is required ('# pot: 5.89e20')")
    try:
        value = float(meta["pot"])
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise SpectrumError(
            f"{path}: metadata field 'pot' must be a positive number, got {shown(meta['pot'])}"
        )
    return value


def _window(
    meta: dict[str, str], low: FloatArray, high: FloatArray, path: Path
) -> tuple[float, float]:
    if "window_mev" not in meta:
        return (float(low[0]), float(high[-1]))
    try:
        lo, hi = (float(x) for x in meta["window_mev"].split(","))
    except ValueError:
        lo = hi = math.nan
    if not lo < hi:
        raise SpectrumError(
            f"{path}: metadata field 'window_MeV' must be 'low, high' with low < high, "
            f"got {shown(meta['window_mev'])}"
        )
    return (lo, hi)


def _systematics(text: str, path: Path) -> dict[str, float]:
    syst: dict[str, float] = {}
    for item in text.split(",") if text else []:
        key, _, val = (part.strip() for part in item.partition("="))
        try:
            fraction = float(val)
        except ValueError:
            fraction = math.nan
        if not key or not (math.isfinite(fraction) and fraction >= 0) or key in syst:
            raise SpectrumError(
                f"{path}: metadata field 'systematics' must be 'key=fraction, ...' with "
                f"distinct keys and fractions >= 0, got {shown(item.strip())}"
            )
        syst[key] = fraction
    return syst


def read_spectrum_csv(path: str | Path) -> PublishedSpectrum:
    """Read a measured spectrum in the format of :data:`CSV_FORMAT`.

    Raises
    ------
    SpectrumError
        Naming the file and the missing column, the bad value (row and column),
        the bad bin (its m_gg edges) or the bad metadata field.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    comment = [ln for ln in lines if ln.lstrip().startswith("#")]
    body = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    meta = _parse_metadata(comment, path)
    if not body:
        expected = ", ".join(_REQUIRED_COLUMNS)
        raise SpectrumError(f"{path}: no header row; expected columns {expected}")
    columns = _columns(body, path)
    low, high = columns["mgg_low_MeV"], columns["mgg_high_MeV"]
    _check_edges(low, high, path)
    statistic = meta.get("statistic", "poisson")
    if statistic not in ("poisson", "covariance"):
        raise SpectrumError(
            f"{path}: metadata field 'statistic' must be 'poisson' or 'covariance', "
            f"got {shown(statistic)}"
        )
    spectrum = PublishedSpectrum(
        name=meta.get("name", path.stem),
        edges_MeV=np.append(low, high[-1]),
        data=columns["data"],
        background=columns["background"],
        pot=_pot(meta, path),
        systematics=_systematics(meta.get("systematics", ""), path),
        window_MeV=_window(meta, low, high, path),
        paper_statistic=statistic,
        asimov=False,
        label="",
        source=meta.get("source", str(path.name)),
    )
    _check_counts(spectrum, path)
    return spectrum


def write_spectrum_csv(spectrum: PublishedSpectrum, path: str | Path) -> None:
    """Write ``spectrum`` in the format read by :func:`read_spectrum_csv`."""
    lines = [
        f"# name: {spectrum.name}",
        f"# pot: {spectrum.pot:.17g}",
        f"# window_MeV: {spectrum.window_MeV[0]:.17g}, {spectrum.window_MeV[1]:.17g}",
        f"# statistic: {spectrum.paper_statistic}",
    ]
    if spectrum.systematics:
        items = ", ".join(f"{k}={v:.17g}" for k, v in spectrum.systematics.items())
        lines.append(f"# systematics: {items}")
    if spectrum.source:
        lines.append(f"# source: {spectrum.source}")
    lines.append(",".join(_REQUIRED_COLUMNS))
    e = spectrum.edges_MeV
    for i in range(spectrum.n_bins):
        lines.append(
            f"{e[i]:.17g},{e[i + 1]:.17g},{spectrum.data[i]:.17g},{spectrum.background[i]:.17g}"
        )
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
