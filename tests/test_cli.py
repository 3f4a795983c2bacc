"""The command line: JSON output matches the API; bad input exits 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from muphilic.cli import main
from muphilic.constants import m, s
from muphilic.emission.meson_decays import KAON, PION, branching_ratio
from muphilic.g2 import delta_a_mu
from muphilic.scalar import ctau, lifetime, width


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_scalar_json_matches_api(capsys):
    code, out, _ = run_cli(capsys, "scalar", "--mass", "24", "--coupling", "3e-4", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["width_MeV"] == pytest.approx(float(width(24.0, 3e-4)), rel=1e-12)
    assert payload["tau_s"] == pytest.approx(float(lifetime(24.0, 3e-4)) / s, rel=1e-12)
    assert payload["ctau_m"] == pytest.approx(float(ctau(24.0, 3e-4)) / m, rel=1e-12)
    assert payload["delta_a_mu"] == pytest.approx(float(delta_a_mu(24.0, 3e-4)), rel=1e-12)
    assert payload["br_K_mu_nu_S"] == pytest.approx(
        float(branching_ratio(KAON, 24.0)) * 3e-4**2, rel=1e-12
    )
    assert payload["br_pi_mu_nu_S"] == pytest.approx(
        float(branching_ratio(PION, 24.0)) * 3e-4**2, rel=1e-12
    )


def test_scalar_human_output(capsys):
    code, out, _ = run_cli(capsys, "scalar", "--mass", "40", "--coupling", "1e-4")
    assert code == 0
    assert "ctau_m" in out


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--mass", "0"], "--mass"),
        (["--mass", "-5"], "--mass"),
        (["--mass", "250"], "--mass"),
        (["--mass", "abc"], "--mass"),
        (["--mass", "nan"], "--mass"),
        (["--coupling", "0"], "--coupling"),
        (["--coupling", "-1e-3"], "--coupling"),
        (["--coupling", "x"], "--coupling"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, option):
    code, out, err = run_cli(capsys, "scalar", *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert option in lines[0]
    assert "Traceback" not in err


def test_python_dash_m_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "muphilic", "scalar", "--mass", "250", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "mu+ mu-" in result.stderr
    assert "Traceback" not in result.stderr
