"""The documentation runs: every command and Python snippet of README.md and docs/*.md.

Each Markdown file with fenced blocks is one test. Its blocks run in document order in a
fresh folder that holds a copy of ``docs/examples/`` (the example inputs the docs use), with
the beam sample of ``docs/examples/small.toml`` already in its own cache folder; the files
run at the same time, as many as there are processors (Python blocks one at a time):

``python``
    All blocks of a file share one namespace, like a notebook. An expression statement
    whose comment starts with a Python literal, ``s.ctau / m  # 147.56 (metres)``, is
    checked: every number must agree with the program to the precision it is written with
    (half a unit of its last digit); ``~5e-10`` is approximate and not checked.
``bash``, ``sh``
    Every ``muphilic ...`` and ``python ...`` line runs in a shell and must exit with 0.
    ``pip install`` lines, ``python -m pytest`` and other tools (``ruff``) do not run: they
    are what continuous integration runs, and their lines must be lines of ``.ci/run``
    (``pip install`` lines excepted, but the README's quick start is checked against it).
``console``
    ``$ command`` lines run the same way; the lines after one are its expected output
    (stdout, or stderr if it fails): whitespace runs match any whitespace, ``...`` any
    text (a line of ``...`` any number of lines), numbers agree to their written precision.
``toml``
    Must parse; a run-configuration fragment must pass :func:`muphilic.config.config_from_dict`.
``text``
    Not run; a transcript (a line starting with ``$ ``) must be marked ``console`` instead.

HTML comments on the lines directly above a fence change how the block is tested::

    <!-- test: replace "OLD" "NEW" -->   run it with OLD replaced by NEW (OLD must occur)
    <!-- test: file NAME -->             the block is docs/examples/NAME (its beginning if
                                         the block ends with a line "...")
    <!-- test: defaults -->              every key of this configuration has its default
    <!-- test: skip REASON -->           not tested; counted and printed with the reason

Commands run with the test's environment, the file's ``MUPHILIC_CACHE_DIR``,
``MPLBACKEND=Agg`` and ``COLUMNS=80`` (the width of the tables the docs show). The other
tests check the quick start against ``.ci/run``, the defaults the prose quotes, that every
configuration key is documented, the version stamp of numbers from the slow default run,
the links between the pages, and the checker itself.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import tokenize
import tomllib
import traceback
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import muphilic
from muphilic.beamline import load_beam
from muphilic.config import OVERRIDABLE, RunConfig, config_from_dict, load_config

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
MARKDOWN = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
CONFIG_TABLES = set(RunConfig().to_dict())
QUICK_START = ROOT / "README.md", "Quick start"

FENCE = re.compile(r"^```(\w*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*test:\s*(\w+)\s*(.*?)\s*-->\s*$")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
NUMBER = r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
OUTPUT_TOKEN = re.compile(rf"(?P<dots>\.\.\.)|(?P<num>{NUMBER})|(?P<ws>\s+)|(?P<char>.)")
RUN_COMMANDS = ("muphilic", "python")
DIRECTIVES = ("replace", "file", "defaults", "skip")
REPORT: list[str] = []


def relative(path: Path) -> str:
    """A path as the failure messages name it: relative to the repository if inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# ---------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One fenced block: its file, first content line (1-based), language and text."""

    path: Path
    line: int
    lang: str
    text: str
    heading: str
    directives: tuple[tuple[str, str], ...] = field(default=())

    def where(self, offset: int = 0) -> str:
        """``file:line`` of the block's line ``offset`` (0 = its first content line)."""
        return f"{relative(self.path)}:{self.line + offset}"

    def directive(self, kind: str) -> list[str]:
        """The arguments of this block's directives of one kind."""
        return [arg for k, arg in self.directives if k == kind]


def parse_blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file with the test directives above each.

    Raises AssertionError for a fence that is never closed and for a directive that is not
    directly above a fence or is not one of :data:`DIRECTIVES`.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, heading, i, attached = [], "", 0, set()
    while i < len(lines):
        if lines[i].startswith("#"):
            heading = lines[i].lstrip("#").strip()
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        directives, k = [], i - 1
        while k >= 0 and (found := DIRECTIVE.match(lines[k])):
            assert found.group(1) in DIRECTIVES, f"{relative(path)}:{k + 1}: unknown directive"
            directives.insert(0, (found.group(1), found.group(2)))
            attached.add(k)
            k -= 1
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        assert end < len(lines), f"{relative(path)}:{i + 1}: fence never closed"
        text = "\n".join(lines[i + 1 : end]) + "\n"
        blocks.append(Block(path, i + 2, opening.group(1), text, heading, tuple(directives)))
        i = end + 1
    orphans = [n + 1 for n, ln in enumerate(lines) if DIRECTIVE.match(ln) and n not in attached]
    assert not orphans, f"{relative(path)}: directives not directly above a fence: lines {orphans}"
    return blocks


# ---------------------------------------------------------------------------------
# Numbers written in the docs
# ---------------------------------------------------------------------------------
def half_unit(text: str) -> float:
    """Half a unit of the last written digit of a number: '147.56' -> 0.005, '6.46e+20' -> 5e17."""
    found = re.fullmatch(r"[-+]?\d*(?:\.(\d*))?(?:[eE]([-+]?\d+))?", text.strip())
    assert found, f"not a number: {text!r}"
    decimals = len(found.group(1) or "")
    exponent = int(found.group(2) or 0)
    return 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)


def agrees(actual: float, written: str) -> bool:
    """Whether ``actual`` rounds to the number ``written`` at its precision."""
    return abs(float(actual) - float(written)) <= half_unit(written)


def leading_literal(comment: str) -> str | None:
    """The longest beginning of a comment that is a Python literal, if any."""
    for end in range(len(comment), 0, -1):
        text = comment[:end].strip()
        try:
            ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        return text
    return None


def literal_mismatches(actual: Any, node: ast.expr, source: str) -> list[str]:
    """How a value differs from a literal written in the docs (empty if it agrees)."""
    written = ast.get_source_segment(source, node) or ""
    value = ast.literal_eval(node)
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(node, ast.Tuple | ast.List):
            items = list(actual) if isinstance(actual, list | tuple | np.ndarray) else None
            if items is None or len(items) != len(node.elts):
                return [f"{actual!r} is not a sequence of {len(node.elts)}, as {written}"]
            return [
                m
                for a, n in zip(items, node.elts, strict=True)
                for m in literal_mismatches(a, n, source)
            ]
        if isinstance(node, ast.Dict):
            keys = [ast.literal_eval(k) for k in node.keys if k is not None]
            if not isinstance(actual, Mapping) or sorted(map(str, actual)) != sorted(
                map(str, keys)
            ):
                return [f"{actual!r} does not have the keys of {written}"]
            pairs = zip(keys, node.values, strict=True)
            return [m for k, n in pairs for m in literal_mismatches(actual[k], n, source)]
        return [] if actual == value else [f"{actual!r} != {written}"]
    if isinstance(actual, bool) or not isinstance(actual, int | float | np.number):
        return [f"{actual!r} is not a number, the docs say {written}"]
    return [] if agrees(actual, written) else [f"{actual!r} does not round to {written}"]


def line_matches(expected: str, actual: str) -> bool:
    """One line of output against the docs' line (whitespace, '...', numbers to precision)."""
    pattern, written = [], []
    for token in OUTPUT_TOKEN.finditer(expected.strip()):
        if token.group("dots"):
            pattern.append(".*?")
        elif token.group("num"):
            pattern.append(f"({NUMBER})")
            written.append(token.group("num"))
        elif token.group("ws"):
            pattern.append(r"\s+")
        else:
            pattern.append(re.escape(token.group("char")))
    found = re.fullmatch("".join(pattern), actual.strip())
    return bool(found) and all(map(agrees, found.groups(), written))


def output_mismatch(expected: list[str], actual: list[str]) -> str | None:
    """Why the program's output does not match the docs' (None if it does)."""
    positions = {0}
    for number, line in enumerate(expected):
        if line.strip() == "...":
            positions = set(range(min(positions), len(actual) + 1))
            continue
        positions = {j + 1 for j in positions if j < len(actual) and line_matches(line, actual[j])}
        if not positions:
            return f"expected line {number + 1} not found in the output: {line.strip()!r}"
    if len(actual) not in positions:
        return f"the output goes on after the last expected line: {actual[max(positions)]!r}"
    return None


# ---------------------------------------------------------------------------------
# Running the blocks
# ---------------------------------------------------------------------------------
def ci_lines() -> set[str]:
    """The commands of .ci/run, without --quiet."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return {" ".join(w for w in ln.split() if w != "--quiet") for ln in text.splitlines()}


def reason_not_run(command: str) -> str | None:
    """Why a shell line is not run in the test (None: it runs)."""
    if re.match(r"(python -m )?pip install", command):
        return "pip install: what CI runs"
    if command.startswith("python -m pytest"):
        return "python -m pytest: the test suite itself"
    if command.split()[0] not in RUN_COMMANDS:
        return f"{command.split()[0]}: not a muphilic/python command (CI runs it)"
    return None


def shell_env(cache: Path) -> dict[str, str]:
    """The test's environment with its own cache, this interpreter's scripts first on the PATH."""
    env = dict(os.environ, MUPHILIC_CACHE_DIR=str(cache), MPLBACKEND="Agg", COLUMNS="80")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@contextlib.contextmanager
def inside(cwd: Path, cache: Path, lock: threading.Lock) -> Iterator[None]:
    """Hold ``lock`` with ``cwd`` as the working folder and ``cache`` as the cache."""
    with lock:
        old_cwd, old_cache = os.getcwd(), os.environ.get("MUPHILIC_CACHE_DIR")
        os.chdir(cwd)
        os.environ["MUPHILIC_CACHE_DIR"] = str(cache)
        try:
            yield
        finally:
            os.chdir(old_cwd)
            if old_cache is None:
                del os.environ["MUPHILIC_CACHE_DIR"]
            else:
                os.environ["MUPHILIC_CACHE_DIR"] = old_cache


def fail(block: Block, offset: int, what: str, detail: str) -> None:
    """Fail the test naming the file, the line and the command or statement."""
    pytest.fail(f"{block.where(offset)}: {what}\n{detail}", pytrace=False)


class DocRun:
    """Runs the blocks of one Markdown file and counts what ran and what did not.

    Commands run in ``cwd`` with ``cache`` as the cache folder; Python blocks run in this
    process, in ``cwd``, holding ``lock`` (several files may run at once, in threads).
    """

    def __init__(self, path: Path, cwd: Path, cache: Path, lock: threading.Lock) -> None:
        self.path, self.cwd, self.cache, self.lock = path, cwd, cache, lock
        self.namespace: dict[str, Any] = {"__name__": "__docs__"}
        self.ran = 0
        self.not_run: list[str] = []

    def run_blocks(self) -> None:
        """Test every block of the file, in order."""
        for block in parse_blocks(self.path):
            self.run(block)

    def run(self, block: Block) -> None:
        """Test one block according to its language and directives."""
        skip = block.directive("skip")
        if skip:
            self.not_run.append(f"{block.where()}: block skipped: {skip[0]}")
            return
        text = block.text
        for argument in block.directive("replace"):
            quoted = [m.group(1) for m in QUOTED.finditer(argument)]
            if len(quoted) != 2:
                fail(block, -1, "bad directive", f'write replace "OLD" "NEW", not {argument!r}')
            old, new = quoted
            if old not in text:
                fail(block, 0, "stale directive", f"replace: {old!r} does not occur in the block")
            text = text.replace(old, new)
        for name in block.directive("file"):
            self.check_file(block, name)
        runner = {
            "python": self.python,
            "bash": self.shell,
            "sh": self.shell,
            "console": self.console,
            "toml": self.toml,
            "text": self.text,
        }.get(block.lang)
        if runner is None:
            fail(block, -1, f"a block in {block.lang or 'no language'}", "mark it text or test it")
        runner(block, text)
        self.ran += block.lang in ("python", "bash", "sh", "console")

    def check_file(self, block: Block, name: str) -> None:
        shipped = (EXAMPLES / name).read_text(encoding="utf-8").splitlines()
        shown = block.text.splitlines()
        if shown and shown[-1].strip() == "...":
            shown, shipped = shown[:-1], shipped[: len(shown) - 1]
        if shown != shipped:
            fail(block, 0, f"differs from docs/examples/{name}", "update one from the other")

    def python(self, block: Block, text: str) -> None:
        with inside(self.cwd, self.cache, self.lock):
            self.python_statements(block, text)

    def python_statements(self, block: Block, text: str) -> None:
        source = "\n" * (block.line - 1) + text
        filename = relative(block.path)
        try:
            tree = ast.parse(source, filename=filename)
        except SyntaxError as err:
            fail(block, (err.lineno or block.line) - block.line, "syntax error", str(err))
        comments = {
            tok.start[0]: tok.string[1:].strip()
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT and tok.line[: tok.start[1]].strip()
        }
        for statement in tree.body:
            offset = statement.lineno - block.line
            shown = ast.get_source_segment(source, statement)
            written = None
            if isinstance(statement, ast.Expr) and statement.end_lineno in comments:
                written = leading_literal(comments[statement.end_lineno])
            try:
                if written is None:
                    exec(compile(ast.Module([statement], []), filename, "exec"), self.namespace)
                    continue
                value = eval(
                    compile(ast.Expression(statement.value), filename, "eval"), self.namespace
                )
            except Exception as err:
                error = err
            else:
                error = None
            if error is not None:
                frames = traceback.format_exception(type(error), error, error.__traceback__.tb_next)
                fail(block, offset, shown, "".join(frames)[-3000:])
            if written is None:
                continue
            node = ast.parse(written, mode="eval").body
            wrong = literal_mismatches(value, node, written)
            if wrong:
                fail(
                    block,
                    offset,
                    shown,
                    "the value quoted in the docs is stale: " + "; ".join(wrong),
                )

    def commands(self, block: Block, text: str, prompt: str) -> list[tuple[int, str, list[str]]]:
        """(offset, command, expected output) of each command line of a block."""
        out: list[tuple[int, str, list[str]]] = []
        for offset, line in enumerate(text.splitlines()):
            if prompt and not line.startswith(prompt):
                if out:
                    out[-1][2].append(line)
                continue
            command = line[len(prompt) :].strip()
            if command and not command.startswith("#"):
                out.append((offset, command, []))
        return out

    def execute(
        self, block: Block, offset: int, command: str
    ) -> subprocess.CompletedProcess | None:
        reason = reason_not_run(command)
        if reason is None:
            return subprocess.run(
                command,
                shell=True,
                executable=shutil.which("bash"),
                cwd=self.cwd,
                env=shell_env(self.cache),
                capture_output=True,
                text=True,
                timeout=600,
            )
        self.not_run.append(f"{block.where(offset)}: {reason}")
        if not reason.startswith("pip install"):
            parts = re.sub(r"\s+#.*$", "", command).split("&&")
            missing = [p.strip() for p in parts if p.strip() not in ci_lines()]
            if missing:
                fail(block, offset, command, f"not a command of .ci/run: {missing}")
        return None

    def shell(self, block: Block, text: str) -> None:
        for offset, command, _ in self.commands(block, text, ""):
            done = self.execute(block, offset, command)
            if done is not None and done.returncode != 0:
                fail(
                    block, offset, command, f"exit status {done.returncode}\n{done.stderr[-3000:]}"
                )

    def console(self, block: Block, text: str) -> None:
        for offset, command, expected in self.commands(block, text, "$ "):
            done = self.execute(block, offset, command)
            if done is None:
                continue
            output = done.stdout if done.returncode == 0 else done.stderr
            while expected and not expected[-1].strip():
                expected.pop()
            why = output_mismatch(expected, output.rstrip("\n").splitlines())
            if done.returncode != 0 and all(line.strip() == "..." for line in expected):
                why = "it fails, and the docs do not show the error"
            if why:
                fail(
                    block,
                    offset,
                    command,
                    f"exit status {done.returncode}; {why}\n{output[-3000:]}",
                )

    def toml(self, block: Block, text: str) -> None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            fail(block, 0, "not valid TOML", str(err))
        if data and set(data) <= CONFIG_TABLES:
            try:
                config_from_dict(data)
            except muphilic.MuphilicError as err:
                fail(block, 0, "not a valid run configuration", str(err))
        if block.directive("defaults"):
            defaults = RunConfig().to_dict()
            wrong = [
                f"{'.'.join(key)} = {value!r}: the default is {lookup(defaults, key)!r}"
                for key, value in leaves(data)
                if lookup(defaults, key) != value
            ]
            if wrong:
                fail(block, 0, "quotes a wrong default", "\n".join(wrong))

    def text(self, block: Block, text: str) -> None:
        if any(line.startswith("$ ") for line in text.splitlines()):
            fail(block, 0, "a transcript in a text block", "mark it ```console so that it runs")

    def check_written_examples(self) -> None:
        """Example files the docs write again must come out as shipped."""
        for shipped in sorted(EXAMPLES.iterdir()):
            if (self.cwd / shipped.name).read_bytes() != shipped.read_bytes():
                pytest.fail(
                    f"{relative(self.path)} writes {shipped.name} differently from "
                    f"docs/examples/{shipped.name}",
                    pytrace=False,
                )


def leaves(
    table: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    """(key path, value) of every leaf of a nested table; an empty table is a leaf."""
    out = []
    for key, value in table.items():
        if isinstance(value, Mapping) and value:
            out += leaves(value, (*prefix, key))
        else:
            out.append(((*prefix, key), value))
    return out


def lookup(table: Mapping[str, Any], key: tuple[str, ...]) -> Any:
    """The value at a key path, or a string saying that there is none."""
    for part in key:
        if not isinstance(table, Mapping) or part not in table:
            return f"<no key {'.'.join(key)}>"
        table = table[part]
    return table


# ---------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------
DOC_FILES = [p for p in MARKDOWN if parse_blocks(p)]


def run_doc(path: Path, folder: Path, warm_cache: Path, lock: threading.Lock) -> list[str]:
    """Run one file's blocks in ``folder``; return its report lines."""
    work, cache = folder / "work", folder / "cache"
    shutil.copytree(EXAMPLES, work)
    shutil.copytree(warm_cache, cache)
    doc = DocRun(path, work, cache, lock)
    doc.run_blocks()
    doc.check_written_examples()
    report = [f"docs: {relative(path)}: {doc.ran} blocks run, {len(doc.not_run)} not run"]
    return report + [f"  not run: {line}" for line in doc.not_run]


@pytest.fixture(scope="module")
def doc_runs(tmp_path_factory, request) -> Iterator[dict[Path, Future]]:
    """Start the run of every selected file, as many at once as there are processors.

    The cache of each starts with the beam sample of docs/examples/small.toml. The report
    (blocks run, lines not run and why) is printed at the end.
    """
    warm_cache = tmp_path_factory.mktemp("docs-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MUPHILIC_CACHE_DIR", str(warm_cache))
        run = load_config(EXAMPLES / "small.toml")
        load_beam(run.beam, seed=run.seed)
    selected = [
        item.callspec.params["path"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_doc_runs"
    ]
    folders = {path: tmp_path_factory.mktemp(path.stem) for path in selected}
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        yield {p: pool.submit(run_doc, p, folders[p], warm_cache, lock) for p in selected}
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and REPORT:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            for line in REPORT:
                reporter.write_line(line)


@pytest.mark.slow
@pytest.mark.parametrize("path", DOC_FILES, ids=relative)
def test_doc_runs(path, doc_runs):
    """Every block of one Markdown file runs and shows what the program prints."""
    REPORT.extend(doc_runs[path].result())


def quick_start() -> Block:
    """The README's quick-start block."""
    path, heading = QUICK_START
    (block,) = [b for b in parse_blocks(path) if b.heading == heading and b.lang == "bash"]
    return block


def test_quick_start_is_what_ci_runs():
    """The README's two commands: the package's install and program; CI's install and tests."""
    lines = quick_start().text.splitlines()
    assert len(lines) == 2, lines
    install, program = lines[0].split(" && ")
    prefix, target = install.rsplit(" ", 1)
    ci = ci_lines()
    assert f'{prefix} "{target}[test]"' in ci, f"CI does not install {target!r} as {install!r}"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert program.split()[0] in scripts
    missing = [part for part in lines[1].split(" && ") if part not in ci]
    assert not missing, f"the README's test command is not what .ci/run runs: {missing}"


def test_quickstart_shows_the_readme_commands():
    """docs/quickstart.md repeats the README's quick start exactly."""
    blocks = [b for b in parse_blocks(DOCS / "quickstart.md") if b.lang == "bash"]
    assert blocks[0].text == quick_start().text, blocks[0].where()


def documented_keys(paths: list[Path]) -> set[tuple[str, ...]]:
    """Keys of the run-configuration fragments of some Markdown files."""
    keys = set()
    for path in paths:
        for block in parse_blocks(path):
            if block.lang != "toml":
                continue
            data = tomllib.loads(block.text)
            if data and set(data) <= CONFIG_TABLES:
                keys |= {generic_key(key) for key, value in leaves(data) if value != {}}
    return keys


def generic_key(key: tuple[str, ...]) -> tuple[str, ...]:
    """A key path with the user's names (detector and spectrum keys) replaced by '*'."""
    if key[0] == "detectors" and len(key) == 3:
        return ("detectors", "*", key[2])
    if key[0] == "spectra" and len(key) == 2:
        return ("spectra", "*")
    return key


def test_every_config_key_is_documented():
    """Every key of the run configuration appears in a TOML example of the guide."""
    program = set()
    for key, _ in leaves(RunConfig().to_dict()):
        if key == ("detectors",):
            program |= {("detectors", "*", name) for name in OVERRIDABLE}
        elif key == ("spectra",):
            program.add(("spectra", "*"))
        else:
            program.add(key)
    documented = documented_keys([DOCS / "assumptions.md", DOCS / "quickstart.md"])
    assert not program - documented, f"undocumented: {sorted(program - documented)}"
    assert not documented - program, f"not keys of the program: {sorted(documented - program)}"


#: Defaults quoted in the prose: (file, pattern, the configuration values its groups quote).
PROSE_DEFAULTS = [
    ("README.md", r"simulates the beam \(([\d ]+) protons on target", ["beam.pot"]),
    ("docs/quickstart.md", r"the defaults simulate ([\d ]+) POT", ["beam.pot"]),
    ("docs/quickstart.md", r"the defaults use (\d+) masses", ["scan.n_masses"]),
    ("docs/physics.md", r"\(([\d ]+) POT,\s+`muphilic beam --plot`", ["beam.pot"]),
    ("docs/beam_samples.md", r"MicroBooNE with ([\d ]+) POT", ["beam.pot"]),
    (
        "docs/validation.md",
        r"on the defaults \(([\d ]+) POT, (\d+) masses x (\d+) couplings, ([\d ]+) aimed",
        ["beam.pot", "scan.n_masses", "scan.n_couplings", "emission.scalars_per_species"],
    ),
    (
        "docs/assumptions.md",
        r"flux ([\d.]+) %, cross section ([\d.]+) %, detector ([\d.]+) %",
        [f"statistics.miniboone_systematics.{k}" for k in ("flux", "cross_section", "detector")],
    ),
    ("docs/assumptions.md", r'`"(\w+)"` \(default, reproduces the paper\)', ["statistics.method"]),
    ("docs/assumptions.md", r'or "(\d+)" \(default, the paper', ["g2.scenario"]),
    ("docs/assumptions.md", r'`"(\w+)"` is the paper\'s conservative', ["emission.energy_loss"]),
]


@pytest.mark.parametrize(("name", "pattern", "keys"), PROSE_DEFAULTS, ids=lambda v: str(v)[:40])
def test_prose_quotes_the_defaults(name, pattern, keys):
    """Each default the text quotes is the program's (to the digits quoted; % as fractions)."""
    text = " ".join((ROOT / name).read_text(encoding="utf-8").split())
    found = re.findall(pattern, text)
    assert found, f"{name}: the sentence {pattern!r} is gone; update PROSE_DEFAULTS"
    defaults = RunConfig().to_dict()
    for groups in found:
        for key, quoted in zip(keys, np.atleast_1d(groups), strict=True):
            value = lookup(defaults, tuple(key.split(".")))
            quoted = quoted.replace(" ", "")
            if isinstance(value, str):
                assert quoted == value, f"{name}: {key} quoted as {quoted!r}, is {value!r}"
            else:
                scale = 100 if "systematics" in key else 1
                assert agrees(value * scale, quoted), (
                    f"{name}: {key} quoted as {quoted}, is {value}"
                )


def test_default_run_numbers_name_this_version():
    """Numbers from the (slow) default run say which version made them; they must be this one."""
    stamps = []
    for path in MARKDOWN:
        text = " ".join(path.read_text(encoding="utf-8").split())
        stamps += [(path.name, v) for v in re.findall(r"default run, muphilic (\d[\w.]*\d)", text)]
    assert stamps, "no number is marked 'default run, muphilic X'"
    stale = [s for s in stamps if s[1] != muphilic.__version__]
    assert not stale, (
        f"re-run the defaults and update these numbers (now {muphilic.__version__}): {stale}"
    )


# ---------------------------------------------------------------------------------
# The checker itself: each rule must catch what it is there to catch
# ---------------------------------------------------------------------------------
def test_numbers_agree_to_their_written_precision():
    assert half_unit("147.56") == pytest.approx(0.005)
    assert half_unit("6.46e+20") == pytest.approx(5e17)
    assert half_unit("12297") == pytest.approx(0.5)
    assert agrees(147.5623, "147.56")
    assert not agrees(147.566, "147.56")
    assert agrees(5.451e-10, "5e-10")
    assert not agrees(5.6e-10, "5e-10")


def test_output_lines_match_with_wildcards_and_precision():
    out = ["progress 6/6", "│ miniboone  │  19.83 - 57.0 │", "wrote 8 files to x/"]
    assert (
        output_mismatch(["...", "│ miniboone │ 19.8 - 57.0 │", "wrote 8 files to ..."], out) is None
    )
    assert output_mismatch(["...", "│ miniboone │ 19.9 - 57.0 │", "..."], out)
    assert output_mismatch(["...", "│ miniboone │ 19.8 - 57.0 │"], out)  # output goes on
    assert output_mismatch(["progress 6/6", "wrote 8 files to x/"], out)  # a line left out
    assert not line_matches("total 934.1 events", "total 934.1 event")


def test_literals_in_comments():
    source = "('sphere', 6.46e+20, {'miniboone': [19.8, 57.0]})"
    node = ast.parse(source, mode="eval").body
    assert (
        literal_mismatches(("sphere", 6.4649e20, {"miniboone": (19.83, 57.04)}), node, source) == []
    )
    wrong = literal_mismatches(("box", 6.5e20, {"miniboone": [19.9, 57.0]}), node, source)
    assert len(wrong) == 3
    assert leading_literal("(5, 11): couplings x bins") == "(5, 11)"
    assert leading_literal("metres") is None
    assert leading_literal("~5e-10 per POT") is None


def write_doc(tmp_path: Path, text: str) -> DocRun:
    """A Markdown file in a fresh folder, and the runner for it."""
    (tmp_path / "doc.md").write_text(text, encoding="utf-8")
    return DocRun(tmp_path / "doc.md", tmp_path, tmp_path / "cache", threading.Lock())


@pytest.mark.parametrize(
    "text",
    [
        '```console\n$ python -c "print(1.5)"\n1.4\n```\n',
        "```console\n$ python -c 'raise SystemExit(2)'\n...\n```\n",
        "```bash\npython -c 'raise SystemExit(3)'\n```\n",
        "```python\nx = 2.0\nx * 3  # 6.1\n```\n",
        "```python\nundefined_name\n```\n",
        '<!-- test: replace "absent" "x" -->\n```bash\npython -V\n```\n',
        "<!-- test: defaults -->\n```toml\n[emission]\nscalars_per_species = 100000\n```\n",
        "```toml\n[scan]\nn_masses = 1\n```\n",
        "<!-- test: file small.toml -->\n```toml\n[beam]\npot = 3\n```\n",
        "```text\n$ muphilic reach\n```\n",
        "```bash\nruff check src\n```\n",
        "```\nmuphilic reach\n```\n",
        '<!-- test: replace "a" -->\n```bash\npython -V\n```\n',
    ],
    ids=[
        "console",
        "console-exit",
        "exit",
        "literal",
        "error",
        "replace",
        "defaults",
        "config",
        "file",
        "transcript",
        "not-ci",
        "no-language",
        "bad-directive",
    ],
)
def test_stale_docs_fail(tmp_path, text):
    """Each kind of stale block fails the test, with the file and line in the message."""
    doc = write_doc(tmp_path, text)
    with pytest.raises(pytest.fail.Exception, match=r"doc\.md:\d+"):
        doc.run_blocks()


def test_misplaced_directives_are_errors(tmp_path):
    for text in (
        "<!-- test: skip why -->\n\n```bash\nx\n```\n",
        "<!-- test: skp x -->\n```bash\n```\n",
    ):
        (tmp_path / "doc.md").write_text(text, encoding="utf-8")
        with pytest.raises(AssertionError, match="directive"):
            parse_blocks(tmp_path / "doc.md")


def test_skipped_blocks_are_counted(tmp_path):
    doc = write_doc(tmp_path, "<!-- test: skip needs a GPU -->\n```bash\nmuphilic gpu\n```\n")
    doc.run_blocks()
    assert doc.ran == 0
    assert doc.not_run == [f"{tmp_path / 'doc.md'}:3: block skipped: needs a GPU"]


def anchors(path: Path) -> set[str]:
    """The GitHub anchors of a Markdown file's headings (outside fenced blocks)."""
    out, fenced = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#"):
            heading = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", heading).replace(" ", "-"))
    return out


def test_links_point_to_files_and_headings():
    """Every relative link of the README and the guide reaches a file (and its heading)."""
    broken = []
    for path in [*MARKDOWN, *sorted(EXAMPLES.glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
            if re.match(r"\w+:", target):
                continue
            name, _, anchor = target.partition("#")
            dest = (path.parent / name).resolve() if name else path
            if not dest.exists() or (
                anchor and dest.suffix == ".md" and anchor not in anchors(dest)
            ):
                broken.append(f"{relative(path)}: {target}")
    assert not broken, broken
