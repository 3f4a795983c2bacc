"""Fuzzing the readers: every bad input ends in a MuphilicError with a message.

Each reader (run configuration, detector TOML, HDF5 and CSV beam samples,
spectrum CSV) is fed random or damaged input. The only acceptable outcomes are
a valid object or an exception derived from :class:`muphilic.errors.MuphilicError`
whose message is one non-empty line; any other exception type (OSError,
KeyError, OverflowError, ...) or a NaN inside an accepted object is a bug.
"""

from __future__ import annotations

import copy
import datetime
import math
import tomllib
from collections.abc import Callable
from typing import Any

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muphilic.beamline import (
    BeamSample,
    read_muons_csv,
    read_parents_csv,
    read_sample,
    write_sample,
)
from muphilic.config import ConfigError, RunConfig, config_from_dict, load_config
from muphilic.constants import GeV, cm
from muphilic.data import data_file
from muphilic.detectors import detector_from_mapping, load_detector
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample
from muphilic.recast.spectra import read_spectrum_csv

# Deterministic, small and free of wall-clock deadlines (the readers touch the disk).
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def outcome(call: Callable[[], Any]) -> Any:
    """Run ``call``; return its value or the MuphilicError it raised (checked to be one line)."""
    try:
        return call()
    except MuphilicError as exc:
        error = exc
    message = str(error)
    assert message.strip(), f"{type(error).__name__} without a message"
    assert "\n" not in message, f"multi-line message: {message!r}"
    return error


# --- values a TOML file can hold ----------------------------------------------------
toml_scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.booleans(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for key, value in data.items():
        out.append((*prefix, key))
        if isinstance(value, dict):
            out.extend(_paths(value, (*prefix, key)))
    return out


def _mutate(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    new = copy.deepcopy(data)
    node = new
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return new


_DELETE = object()
_CONFIG = tomllib.loads(RunConfig().to_toml())
_CONFIG_PATHS = _paths(_CONFIG)


# --- run configuration ---------------------------------------------------------------
@FUZZ
@given(
    path=st.sampled_from(_CONFIG_PATHS),
    value=st.one_of(st.just(_DELETE), toml_values),
)
def test_config_mutated_field_is_valid_or_config_error(path, value):
    result = outcome(lambda: config_from_dict(_mutate(_CONFIG, path, value)))
    if isinstance(result, MuphilicError):
        assert isinstance(result, ConfigError)
        return
    # An accepted configuration is usable: a digest and a TOML form that reads back equal.
    assert len(result.digest()) == 64
    assert config_from_dict(tomllib.loads(result.to_toml())) == result


@FUZZ
@given(key=st.text(min_size=1, max_size=8), value=toml_values)
def test_config_unknown_keys_are_errors(key, value):
    """Unknown keys are errors, never ignored (issue 8, item 1)."""
    data = copy.deepcopy(_CONFIG)
    if key in data:
        return
    data[key] = value
    assert isinstance(outcome(lambda: config_from_dict(data)), ConfigError)


_TOML_TEXT = RunConfig().to_toml()


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(_TOML_TEXT)),
    junk=st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x2FF), max_size=12),
    where=st.integers(min_value=0, max_value=len(_TOML_TEXT)),
)
def test_config_file_truncated_or_garbled(tmp_path, cut, junk, where):
    text = _TOML_TEXT[:where] + junk + _TOML_TEXT[where:cut]
    path = tmp_path / "run.toml"
    path.write_text(text, encoding="utf-8")
    result = outcome(lambda: load_config(path))
    assert isinstance(result, RunConfig | ConfigError)


def test_config_unreadable_paths(tmp_path):
    for path in (tmp_path / "missing.toml", tmp_path):
        assert isinstance(outcome(lambda p=path: load_config(p)), ConfigError)


def test_config_file_not_utf8(tmp_path):
    path = tmp_path / "run.toml"
    path.write_bytes(b"seed = 1\n# \xff\xfe\n")
    assert isinstance(outcome(lambda: load_config(path)), ConfigError)


def test_config_integer_beyond_float_range(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("seed = 1" + "0" * 400 + "\n", encoding="utf-8")
    assert isinstance(outcome(lambda: load_config(path)), ConfigError)


def test_config_override_with_a_date_is_rejected_or_digestible():
    data = copy.deepcopy(_CONFIG)
    data["detectors"] = {"microboone": {"efficiency": datetime.date(2023, 11, 21)}}
    result = outcome(lambda: config_from_dict(data))
    if not isinstance(result, MuphilicError):
        result.digest()


def test_config_duplicate_channels_rejected():
    data = copy.deepcopy(_CONFIG)
    data["emission"]["channels"] = ["kaon", "kaon"]
    assert isinstance(outcome(lambda: config_from_dict(data)), ConfigError)


# --- detector TOML -------------------------------------------------------------------
_DETECTOR = tomllib.loads(data_file("detectors", "microboone.toml").read_text(encoding="utf-8"))
_DETECTOR_PATHS = [p for p in _paths(_DETECTOR) if p[0] != "sources"]


@FUZZ
@given(
    path=st.sampled_from(_DETECTOR_PATHS),
    value=st.one_of(
        st.just(_DELETE),
        toml_values,
        st.integers(min_value=2**70, max_value=10**400),  # TOML integers may exceed a float
        st.dates(),
        st.lists(st.floats(), min_size=3, max_size=3),
    ),
)
def test_detector_mutated_field_is_valid_or_detector_error(path, value):
    result = outcome(lambda: detector_from_mapping(_mutate(_DETECTOR, path, value)))
    if isinstance(result, MuphilicError):
        return
    # An accepted detector has finite numbers everywhere.
    numbers = [result.pot, result.efficiency, result.resolution, *result.centre, *result.size]
    assert all(math.isfinite(x) for x in numbers)
    assert np.all(np.isfinite(result.edges))
    assert 0 < result.efficiency <= 1


@FUZZ
@given(blob=st.binary(max_size=200))
def test_detector_file_of_random_bytes(tmp_path, blob):
    path = tmp_path / "det.toml"
    path.write_bytes(blob)
    result = outcome(lambda: load_detector(path))
    assert isinstance(result, MuphilicError)  # random bytes never make a whole detector


def test_detector_unknown_name_and_missing_file(tmp_path):
    assert isinstance(outcome(lambda: load_detector("nodetector")), MuphilicError)
    assert isinstance(outcome(lambda: load_detector(tmp_path / "missing.toml")), MuphilicError)
    assert isinstance(outcome(lambda: load_detector(tmp_path)), MuphilicError)


def test_detector_tiny_bin_width_is_an_error_not_a_hang():
    data = _mutate(_DETECTOR, ("bins", "width_MeV"), 1e-9)
    assert isinstance(outcome(lambda: detector_from_mapping(data)), MuphilicError)


# --- beam samples (HDF5) -------------------------------------------------------------
def _tiny_beam() -> BeamSample:
    """A hand-made beam: a few time-like mesons and muons, weights per POT."""
    rng = np.random.default_rng(7)
    masses = {211: 139.57, 321: 493.68}
    parents = {}
    for code, name in ((211, "pi+"), (321, "K+")):
        p3 = np.column_stack([rng.normal(0, 50, 6), rng.normal(0, 50, 6), rng.uniform(500, 3e3, 6)])
        energy = np.sqrt(np.sum(p3**2, axis=1) + masses[code] ** 2)
        vertex = np.column_stack([np.zeros(6), np.zeros(6), rng.uniform(1, 50, 6) * 100 * cm])
        parents[name] = ParentSample(code, np.column_stack([energy, p3]), vertex, np.full(6, 1e-3))
    p3 = np.column_stack([np.zeros(5), np.zeros(5), rng.uniform(0.3, 3, 5) * GeV])
    energy = np.sqrt(np.sum(p3**2, axis=1) + 105.66**2)
    muons = MuonSample(
        np.column_stack([energy, p3]),
        np.column_stack([np.zeros(5), np.zeros(5), np.full(5, 5000 * cm)]),
        np.full(5, 1e-4),
        np.array([1, -1, 1, 1, -1]),
    )
    return BeamSample(100, parents, muons, {"pi+": 1.0, "K+": 0.1}, dict(parents))


@pytest.fixture(scope="module")
def good_h5(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("beam") / "good.h5"
    write_sample(_tiny_beam(), path)
    return path.read_bytes()


def _check_sample(result: Any) -> None:
    if isinstance(result, MuphilicError):
        return
    assert isinstance(result, BeamSample)
    assert result.pot >= 1
    assert math.isfinite(result.muons_produced_per_pot)
    assert all(math.isfinite(v) for v in result.produced_per_pot.values())


def test_h5_roundtrip(tmp_path, good_h5):
    path = tmp_path / "s.h5"
    path.write_bytes(good_h5)
    sample = read_sample(path)
    assert np.array_equal(sample.muons.p4, _tiny_beam().muons.p4)


@FUZZ
@given(fraction=st.floats(min_value=0.0, max_value=0.9999))
def test_h5_truncated(tmp_path, good_h5, fraction):
    path = tmp_path / "s.h5"
    path.write_bytes(good_h5[: int(len(good_h5) * fraction)])
    assert isinstance(outcome(lambda: read_sample(path)), MuphilicError)


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.floats(min_value=0, max_value=0.9999), st.integers(1, 255)),
        min_size=1,
        max_size=20,
    )
)
def test_h5_corrupted_bytes(tmp_path, good_h5, flips):
    blob = bytearray(good_h5)
    for where, mask in flips:
        blob[int(where * len(blob))] ^= mask
    path = tmp_path / "s.h5"
    path.write_bytes(bytes(blob))
    _check_sample(outcome(lambda: read_sample(path)))


def _del(name: str) -> Callable[[h5py.File], None]:
    return lambda f: f.__delitem__(name)


def _replace(name: str, data: Any) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        if name in f:
            del f[name]
        f.create_dataset(name, data=data)

    return edit


def _set_attr(obj: str, key: str, value: Any) -> Callable[[h5py.File], None]:
    return lambda f: f[obj].attrs.__setitem__(key, value)


def _set_value(name: str, value: float) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        f[name][0] = value

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        _del("muons"),
        _del("parents"),
        _del("muons/E"),
        _del("parents/pi+/weight"),
        _replace("muons/px", np.zeros(2)),  # wrong length
        _replace("muons/px", np.array([b"a"] * 5)),  # not numeric
        _replace("muons/pz", np.zeros((5, 2))),  # two-dimensional
        _replace("muons/pz", 1.0),  # scalar
        _replace("muons", np.zeros(3)),  # a dataset where a group belongs
        _replace("parents/junk", np.zeros(3)),
        lambda f: f["muons"].create_group("nested"),
        _set_attr("/", "pot", "abc"),
        _set_attr("/", "pot", np.nan),
        _set_attr("/", "pot", 0.5),
        _set_attr("/", "pot", -3),
        _set_attr("/", "pot", [1, 2]),
        lambda f: f.attrs.__delitem__("pot"),
        _set_attr("/", "muons_produced_per_pot", np.nan),
        _set_attr("/", "muons_produced_per_pot", "x"),
        _set_attr("produced_per_pot", "pi+", np.nan),
        _set_attr("produced_per_pot", "pi+", "x"),
        _set_value("muons/E", -1.0),
        _set_value("muons/E", 1e-6),  # E < |p|: not a four-momentum
        _set_value("muons/px", np.inf),
        _set_value("muons/charge", 0),
        _set_value("parents/pi+/pdg", 13),
        _set_value("parents/pi+/weight", -1.0),
        _set_value("parents/K+/z", np.nan),
    ],
)
def test_h5_structural_damage(tmp_path, good_h5, edit):
    path = tmp_path / "s.h5"
    path.write_bytes(good_h5)
    with h5py.File(path, "a") as f:
        edit(f)
    assert isinstance(outcome(lambda: read_sample(path)), MuphilicError)


def test_h5_missing_file_or_folder(tmp_path):
    assert isinstance(outcome(lambda: read_sample(tmp_path / "none.h5")), MuphilicError)
    assert isinstance(outcome(lambda: read_sample(tmp_path)), MuphilicError)


# --- CSV readers ---------------------------------------------------------------------
_PARENT_HEADER = "pdg,E,px,py,pz,x,y,z,weight"
_MUON_HEADER = "E,px,py,pz,x,y,z,weight,charge"
csv_cells = st.one_of(
    st.sampled_from(["211", "-321", "130", "13", "1", "-1", "0", "nan", "inf", "-inf", "", "x"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=",\"'# \t0123456789.e-", max_size=6),
)
csv_rows = st.lists(st.lists(csv_cells, min_size=0, max_size=11), max_size=5)


def _csv_text(header: str, rows: list[list[str]]) -> str:
    return header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


@FUZZ
@given(rows=csv_rows, pot=st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-2, 3)))
def test_parents_csv_random_rows(tmp_path, rows, pot):
    path = tmp_path / "p.csv"
    path.write_text(_csv_text(_PARENT_HEADER, rows), encoding="utf-8")
    result = outcome(lambda: read_parents_csv(path, pot=pot))
    if not isinstance(result, MuphilicError):
        for parent in result.values():
            assert np.all(np.isfinite(parent.weight)) and np.all(parent.weight >= 0)
            assert np.all(np.isfinite(parent.p4))


@FUZZ
@given(rows=csv_rows, pot=st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-2, 3)))
def test_muons_csv_random_rows(tmp_path, rows, pot):
    path = tmp_path / "m.csv"
    path.write_text(_csv_text(_MUON_HEADER, rows), encoding="utf-8")
    result = outcome(lambda: read_muons_csv(path, pot=pot))
    if not isinstance(result, MuphilicError):
        assert np.all(np.isfinite(result.weight)) and np.all(result.weight >= 0)


@pytest.mark.parametrize("reader", [read_parents_csv, read_muons_csv])
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b"pdg,E,E,px,py,pz,x,y,z,weight,charge\n211,5,5,0,0,4,0,0,1,1,1\n",  # duplicate column
        b"pdg,E,px,py,pz,x,y,z,weight,charge\n211,0.1,0,0,4,0,0,1,1,1\n",  # E < |p|
        b"pdg,E,px,py,pz,x,y,z,weight,charge\n211,1e308,1e308,0,0,0,0,1,1,1\n",  # overflow
    ],
)
def test_csv_damaged_files(tmp_path, reader, content):
    path = tmp_path / "s.csv"
    path.write_bytes(content)
    assert isinstance(outcome(lambda: reader(path)), MuphilicError)


def test_csv_missing_file_and_zero_pot(tmp_path):
    assert isinstance(outcome(lambda: read_muons_csv(tmp_path / "none.csv")), MuphilicError)
    path = tmp_path / "m.csv"
    path.write_text("E,px,py,pz,x,y,z,charge\n5,0,0,4,0,0,1,1\n", encoding="utf-8")
    assert isinstance(outcome(lambda: read_muons_csv(path, pot=0)), MuphilicError)


# --- spectrum CSV --------------------------------------------------------------------
_SPECTRUM = (
    "# name: test\n# pot: 5e20\n# window_MeV: 0, 20\n# systematics: flux=0.1\n"
    "mgg_low_MeV,mgg_high_MeV,data,background\n0,10,1,2\n10,20,3,4\n"
)


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(_SPECTRUM)),
    junk=st.text(alphabet="0123456789,.-#:=e \nnaif", max_size=10),
    where=st.integers(min_value=0, max_value=len(_SPECTRUM)),
)
def test_spectrum_csv_truncated_or_garbled(tmp_path, cut, junk, where):
    path = tmp_path / "spectrum.csv"
    path.write_text(_SPECTRUM[:where] + junk + _SPECTRUM[where:cut], encoding="utf-8")
    result = outcome(lambda: read_spectrum_csv(path))
    if not isinstance(result, MuphilicError):
        assert np.all(np.isfinite(result.edges_MeV))
        assert np.all(np.isfinite(result.data)) and np.all(np.isfinite(result.background))
        assert math.isfinite(result.pot) and result.pot > 0
        assert all(math.isfinite(v) for v in result.systematics.values())


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe",
        _SPECTRUM.replace("10,20,3,4", "10,20,3,4,99").encode(),  # more fields than the header
        _SPECTRUM.replace("flux=0.1", "=0.1").encode(),
        _SPECTRUM.replace("5e20", "nan").encode(),
        _SPECTRUM.replace("0, 20", "20, 0").encode(),
    ],
)
def test_spectrum_csv_damaged(tmp_path, content):
    path = tmp_path / "spectrum.csv"
    path.write_bytes(content)
    assert isinstance(outcome(lambda: read_spectrum_csv(path)), MuphilicError)


def test_spectrum_csv_missing(tmp_path):
    assert isinstance(outcome(lambda: read_spectrum_csv(tmp_path / "none.csv")), MuphilicError)
    assert isinstance(outcome(lambda: read_spectrum_csv(tmp_path)), MuphilicError)
