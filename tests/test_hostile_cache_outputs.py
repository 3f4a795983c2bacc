"""Hostile conditions for the cache and the run's output files.

The cache lists and removes only what it wrote; a full disk, a killed process or
a foreign file in the way never costs the user a file or leaves a partial one.
Every refusal is exit status 2 and one line naming the culprit.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import muphilic
from muphilic.beamline import simulate, write_sample
from muphilic.cache import TAG_NAME, CacheFolderError, cache_dir, cached_bytes, list_cache
from muphilic.cli import main

SRC = str(Path(muphilic.__file__).resolve().parents[1])


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def assert_one_line_error(result: tuple[int, str, str], *needles: str) -> str:
    code, out, err = result
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("muphilic: error:")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def user_files(folder: Path) -> dict[str, str]:
    """A folder holding a user's own files, some named like cache files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thesis.tex").write_text("my thesis")
    (folder / "beam").mkdir()
    (folder / "beam" / "geant4_run.h5").write_bytes(b"precious")
    (folder / "xsec").mkdir()
    (folder / "xsec" / ("0" * 64 + ".bin")).write_bytes(b"looks like an entry")
    return snapshot(folder)


# --- the cache folder ----------------------------------------------------------------
@pytest.mark.parametrize("command", [["--list"], ["--clear"], ["--clear", "--yes"], []])
def test_foreign_folder_is_refused_and_untouched(capsys, tmp_path, monkeypatch, command):
    home = tmp_path / "someone"
    before = user_files(home)
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(home))
    assert_one_line_error(run_cli(capsys, "cache", *command), "MUPHILIC_CACHE_DIR", str(home))
    assert snapshot(home) == before


def test_foreign_folder_refused_by_a_run(tmp_path, monkeypatch):
    home = tmp_path / "someone"
    before = user_files(home)
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(home))
    with pytest.raises(CacheFolderError, match="did not write"):
        cached_bytes("xsec", {"m": 1}, lambda: b"table")
    assert snapshot(home) == before


@pytest.mark.parametrize("where", ["home", "root", "home_parent", "tmp", "usr"])
def test_system_and_home_folders_are_refused(capsys, monkeypatch, where):
    path = {
        "home": Path.home(),
        "root": Path("/"),
        "home_parent": Path.home().parent,
        "tmp": Path("/tmp"),
        "usr": Path("/usr"),
    }[where]
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(path))
    assert_one_line_error(run_cli(capsys, "cache", "--clear", "--yes"), "system or home folder")


def test_home_refused_even_through_a_link(capsys, tmp_path, monkeypatch):
    link = tmp_path / "link-to-home"
    link.symlink_to(Path.home())
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(link))
    assert_one_line_error(run_cli(capsys, "cache", "--list"), "system or home folder")


def test_cache_folder_that_is_a_file(capsys, tmp_path, monkeypatch):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(target))
    assert_one_line_error(run_cli(capsys, "cache", "--list"), "not a folder")
    assert target.read_text() == "mine"


def test_new_and_empty_folders_are_tagged(tmp_path, monkeypatch):
    for folder in (tmp_path / "new" / "cache", tmp_path / "empty"):
        (tmp_path / "empty").mkdir(exist_ok=True)
        monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(folder))
        assert cache_dir() == folder
        tag = (folder / TAG_NAME).read_text()
        assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")  # the spec's
        assert "muphilic" in tag


def test_user_files_inside_the_cache_are_kept(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(folder))
    cached_bytes("xsec", {"m": 1}, lambda: b"a table")
    (folder / "README").write_text("my note")
    (folder / "xsec" / "plot.png").write_bytes(b"my plot")
    (folder / "notes").mkdir()
    (folder / "notes" / ("a" * 64 + ".bin")).write_bytes(b"not in a kind folder of mine")
    code, out, _ = run_cli(capsys, "cache", "--list")
    assert code == 0 and "1 entries" in out and "plot.png" not in out
    code, out, _ = run_cli(capsys, "cache", "--clear", "--yes")
    assert code == 0 and "removed 1" in out
    assert (folder / "README").read_text() == "my note"
    assert (folder / "xsec" / "plot.png").read_bytes() == b"my plot"
    assert (folder / "notes" / ("a" * 64 + ".bin")).is_file()
    assert (folder / TAG_NAME).is_file()


def test_a_cache_of_an_earlier_version_is_adopted(capsys, tmp_path, monkeypatch):
    """A folder holding only cache-named files (no tag yet) is the cache's own."""
    folder = tmp_path / "old"
    (folder / "xsec").mkdir(parents=True)
    payload = b"old table"
    entry = folder / "xsec" / ("ab" * 32 + ".bin")
    entry.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(folder))
    code, out, _ = run_cli(capsys, "cache", "--list")
    assert code == 0 and "1 entries" in out


# --- list and clear ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--list", "--clear"], "--list/--clear"),
        (["--yes"], "--yes"),
        (["--list", "--yes"], "--yes"),
    ],
)
def test_contradictory_cache_options(capsys, args, needle):
    assert_one_line_error(run_cli(capsys, "cache", *args), needle)


def test_clear_asks_in_a_terminal(capsys, monkeypatch):
    cached_bytes("xsec", {"m": 1}, lambda: b"x" * 2_000_000)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    prompts: list[str] = []
    monkeypatch.setattr(
        "click.termui.visible_prompt_func", lambda prompt: prompts.append(prompt) or "n"
    )
    code, out, _ = run_cli(capsys, "cache", "--clear")
    assert code == 0
    assert "remove 1 cached entries (2.00 MB)" in "".join(prompts) + out
    assert "nothing removed" in out
    assert len(list_cache()) == 1
    code, out, _ = run_cli(capsys, "cache", "--clear", "--yes")
    assert code == 0 and "removed 1 cached entries (2.00 MB)" in out
    assert list_cache() == []


_SLOW_BUILD = textwrap.dedent(
    """
    import sys, time
    from muphilic.cache import cached_file

    def slow(path):
        with open(path, "wb") as handle:
            handle.write(b"half a beam sample")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

    cached_file("beam", {"pot": 1}, slow, suffix=".h5")
    """
)


def test_killed_run_leaves_a_temporary_that_is_listed_and_cleared(capsys):
    env = {**os.environ, "PYTHONPATH": SRC}
    with subprocess.Popen(
        [sys.executable, "-c", _SLOW_BUILD], env=env, stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "writing"
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            child.kill()
    (leftover,) = list_cache()
    assert leftover.temporary and leftover.kind == "beam"
    code, out, _ = run_cli(capsys, "cache", "--list")
    assert code == 0 and "interrupted" in out
    code, out, _ = run_cli(capsys, "cache", "--clear", "--yes")
    assert code == 0 and "removed 1" in out
    assert not leftover.path.exists()


# --- a full disk ---------------------------------------------------------------------
_FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)       # writes fail with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
    sys.argv = ["muphilic", *sys.argv[2:]]
    from muphilic.cli import main
    main()
    """
)


def run_with_small_disk(limit_bytes: int, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI with every file limited to ``limit_bytes`` (a full disk, for a writer)."""
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(limit_bytes), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_clean_failure(proc: subprocess.CompletedProcess, *needles: str) -> None:
    """Exit 2 and one error line naming ``needles`` (progress bars may precede it)."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("muphilic:")]
    assert len(lines) == 1 and lines[0].startswith("muphilic: error:"), proc.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_full_disk_while_caching_a_beam(tmp_path):
    proc = run_with_small_disk(20_000, "beam", "--pot", "300", "--json", cwd=tmp_path)
    assert_clean_failure(proc)
    assert list_cache() == []  # no entry, no temporary file
    assert not [p for p in cache_dir().rglob("*") if p.is_file() and p.name != TAG_NAME]


# --- the output folder of a run ------------------------------------------------------
@pytest.fixture(scope="module")
def sample_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("beam") / "beam.h5"
    write_sample(simulate(400, 3), path)
    return path


def small_run(tmp_path: Path, sample: Path, experiments: str = "miniboone") -> Path:
    names = ", ".join(f"'{e}'" for e in experiments.split(","))
    path = tmp_path / "run.toml"
    path.write_text(
        f"seed = 5\n[beam]\nsample = '{sample}'\n[emission]\nscalars_per_species = 300\n"
        f"[scan]\nn_masses = 3\nmass_min_MeV = 20.0\nmass_max_MeV = 80.0\nn_couplings = 12\n"
        f"[experiments]\nnames = [{names}]\n"
    )
    return path


def test_reach_rerun_replaces_its_own_files_and_removes_stale_ones(capsys, tmp_path, sample_file):
    out = tmp_path / "out"
    both = small_run(tmp_path, sample_file, "miniboone,sbnd")
    code, _, err = run_cli(capsys, "reach", "--config", str(both), "--out", str(out), "--json")
    assert code == 0, err
    assert (out / "contour_sbnd.csv").is_file()
    (out / "my_notes.txt").write_text("kept")
    one = small_run(tmp_path, sample_file)
    code, _, err = run_cli(capsys, "reach", "--config", str(one), "--out", str(out), "--json")
    assert code == 0, err
    assert not (out / "contour_sbnd.csv").exists()  # from the earlier run, unchanged: removed
    assert (out / "my_notes.txt").read_text() == "kept"
    assert not [p for p in out.iterdir() if ".tmp." in p.name]


@pytest.mark.parametrize("name", ["reach.png", "contour_miniboone.csv", "run.json"])
def test_reach_never_replaces_a_foreign_file(capsys, tmp_path, sample_file, name):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text("a file of my own")
    config = small_run(tmp_path, sample_file)
    started = time.perf_counter()
    line = assert_one_line_error(
        run_cli(capsys, "reach", "--config", str(config), "--out", str(out)), name
    )
    assert "earlier muphilic run" in line
    assert time.perf_counter() - started < 5  # refused before the computation
    assert (out / name).read_text() == "a file of my own"
    assert sorted(p.name for p in out.iterdir()) == [name]


def test_reach_refuses_a_file_changed_since_it_was_written(capsys, tmp_path, sample_file):
    out = tmp_path / "out"
    config = small_run(tmp_path, sample_file)
    assert run_cli(capsys, "reach", "--config", str(config), "--out", str(out))[0] == 0
    edited = out / "contour_miniboone.csv"
    edited.write_text(edited.read_text() + "# my comment\n")
    assert_one_line_error(
        run_cli(capsys, "reach", "--config", str(config), "--out", str(out)), edited.name
    )
    assert edited.read_text().endswith("# my comment\n")


def test_reach_output_folder_is_a_file(capsys, tmp_path, sample_file):
    out = tmp_path / "out"
    out.write_text("mine")
    config = small_run(tmp_path, sample_file)
    assert_one_line_error(
        run_cli(capsys, "reach", "--config", str(config), "--out", str(out)), "not a folder"
    )
    assert out.read_text() == "mine"


def test_reach_on_a_full_disk_writes_nothing(tmp_path, sample_file):
    out = tmp_path / "out"
    config = small_run(tmp_path, sample_file)
    proc = run_with_small_disk(
        20_000, "reach", "--config", str(config), "--out", str(out), cwd=tmp_path
    )
    assert_clean_failure(proc, "cannot write", "reach.png")
    assert list(out.iterdir()) == []  # none of the files, no staging folder


def test_reach_on_a_full_disk_keeps_the_previous_run(capsys, tmp_path, sample_file):
    out = tmp_path / "out"
    config = small_run(tmp_path, sample_file)
    assert run_cli(capsys, "reach", "--config", str(config), "--out", str(out))[0] == 0
    before = snapshot(out)
    proc = run_with_small_disk(
        20_000, "reach", "--config", str(config), "--out", str(out), cwd=tmp_path
    )
    assert_clean_failure(proc)
    assert snapshot(out) == before  # all files of the earlier run, none of the failed one


def test_reach_records_the_sha256_of_its_files(capsys, tmp_path, sample_file):
    import json

    out = tmp_path / "out"
    config = small_run(tmp_path, sample_file)
    assert run_cli(capsys, "reach", "--config", str(config), "--out", str(out))[0] == 0
    outputs = json.loads((out / "run.json").read_text())["outputs"]
    assert set(outputs) == {p.name for p in out.iterdir()} - {"run.json"}
    for name, digest in outputs.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_reach_bad_scheduler_refused_before_the_computation(capsys, tmp_path, sample_file):
    config = small_run(tmp_path, sample_file)
    out = tmp_path / "out"
    args = ("reach", "--config", str(config), "--out", str(out), "--scheduler", "nonsense")
    assert_one_line_error(run_cli(capsys, *args), "--scheduler", "nonsense")


# --- beam: settings that would be ignored, outputs that would destroy ----------------
def test_beam_sample_with_pot_or_seed_is_refused(capsys, sample_file):
    for option in ("--pot", "--seed"):
        args = ("beam", "--sample", str(sample_file), option, "7", "--json")
        assert_one_line_error(run_cli(capsys, *args), option)


def test_beam_config_sample_is_read(capsys, tmp_path, sample_file):
    import json

    config = small_run(tmp_path, sample_file)
    code, out, err = run_cli(capsys, "beam", "--config", str(config), "--json")
    assert code == 0, err
    assert json.loads(out)["pot"] == 400  # the sample's, not the default simulation's
    assert list_cache() == []  # nothing was simulated


def test_beam_output_never_replaces_a_foreign_file(capsys, tmp_path, sample_file):
    target = tmp_path / "results.h5"
    target.write_bytes(b"my own HDF5 file, or anything else")
    args = ("beam", "--sample", str(sample_file), "--output", str(target), "--json")
    assert_one_line_error(run_cli(capsys, *args), "--output", "not a muphilic beam sample")
    assert target.read_bytes() == b"my own HDF5 file, or anything else"


def test_beam_output_replaces_its_own_sample(capsys, tmp_path, sample_file):
    target = tmp_path / "copy.h5"
    args = ("beam", "--sample", str(sample_file), "--output", str(target), "--json")
    assert run_cli(capsys, *args)[0] == 0
    assert run_cli(capsys, *args)[0] == 0
    assert not [p for p in tmp_path.iterdir() if ".tmp." in p.name]
