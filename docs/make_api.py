"""Write docs/api.md: the API reference of muphilic, generated from its docstrings.

For every public module of the package (every module that defines ``__all__``,
except the command line) it lists each member of ``__all__`` with its signature
and the first paragraph of its docstring. A member that a package only
re-exports is listed once, in the module that defines it, and the package
points there. Standard library only (importlib, inspect, ast, pkgutil).

Run from the repository root::

    PYTHONPATH=src python docs/make_api.py

and commit the resulting docs/api.md.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

PACKAGE = "muphilic"
SKIP = {"muphilic.cli", "muphilic.__main__"}
OUTPUT = Path(__file__).resolve().parent / "api.md"


def public_modules() -> list[ModuleType]:
    """The package and its submodules that define ``__all__``, in dotted-name order."""
    root = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{PACKAGE}."):
        parts = info.name.split(".")
        if info.name in SKIP or any(p.startswith("_") for p in parts[1:]):
            continue
        names.append(info.name)
    modules = [importlib.import_module(n) for n in sorted(names)]
    return [m for m in modules if hasattr(m, "__all__")]


def first_paragraph(doc: str | None) -> str:
    """The first paragraph of a docstring, joined onto one line."""
    if not doc:
        return "*(no docstring)*"
    text = inspect.cleandoc(doc)
    paragraph = text.split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def data_comments(module: ModuleType) -> dict[str, str]:
    """Descriptions of module-level assignments, by assigned name.

    The ``#:`` comment block above the assignment; else a comment at the end of
    its line; else the heading of the ``# --- heading ---`` section it is in.
    """
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    out: dict[str, str] = {}
    for node in ast.parse(source).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if not targets:
            continue
        comment: list[str] = []
        i = node.lineno - 2
        while i >= 0 and lines[i].lstrip().startswith("#:"):
            comment.insert(0, lines[i].lstrip()[2:].strip())
            i -= 1
        text = " ".join(comment)
        line = lines[node.lineno - 1]
        if not text and node.end_lineno == node.lineno and "  # " in line:
            text = line.split("  # ", 1)[1].strip()
        if not text:
            for j in range(node.lineno - 2, -1, -1):
                stripped = lines[j].strip()
                if stripped.startswith("# ---"):
                    text = "(" + stripped.strip("#- ").strip() + ")"
                    break
        for target in targets:
            if isinstance(target, ast.Name) and text:
                out[target.id] = text
    return out


def defined_names(module: ModuleType) -> set[str]:
    """Names assigned, or defined by def/class, at the top level of ``module``."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def home_module(module: ModuleType, name: str, obj: object, modules: list[ModuleType]) -> str:
    """The dotted name of the module where ``name`` is defined."""
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return obj.__module__
    if name in defined_names(module):
        return module.__name__
    for other in modules:
        if name in defined_names(other) and getattr(other, name, None) is obj:
            return other.__name__
    return module.__name__


def _annotation(value: object) -> str:
    if isinstance(value, str):  # postponed annotations (from __future__ import annotations)
        return value
    return inspect.formatannotation(value)


def signature(name: str, obj: object) -> str:
    """``name(signature)`` for callables (annotations unquoted), ``name`` otherwise."""
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return name
    parts: list[str] = []
    star_done = False
    for param in sig.parameters.values():
        if param.kind is param.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        prefix = {param.VAR_POSITIONAL: "*", param.VAR_KEYWORD: "**"}.get(param.kind, "")
        if param.kind is param.VAR_POSITIONAL:
            star_done = True
        text = prefix + param.name
        if param.annotation is not param.empty:
            text += f": {_annotation(param.annotation)}"
        if param.default is not param.empty:
            text += (" = " if param.annotation is not param.empty else "=") + short_value(
                param.default
            )
        parts.append(text)
    result = f"{name}({', '.join(parts)})"
    if sig.return_annotation is not sig.empty:
        result += f" -> {_annotation(sig.return_annotation)}"
    return result


def short_value(obj: object) -> str:
    """A short representation of a data member (sets sorted, so the output is stable)."""
    if isinstance(obj, set | frozenset):
        text = f"{type(obj).__name__}({sorted(obj, key=repr)!r})"
    else:
        text = repr(obj)
    if len(text) > 90 or "\n" in text:
        return f"<{type(obj).__name__}>"
    return text


def anchor(dotted: str) -> str:
    """The Markdown heading anchor of a dotted name (GitHub style)."""
    return dotted.lower().replace(".", "").replace("_", "_")


def describe(module: ModuleType, name: str, obj: object) -> list[str]:
    """Markdown lines for one member defined in ``module``."""
    full = f"{module.__name__}.{name}"
    if inspect.isclass(obj):
        kind = "exception" if issubclass(obj, BaseException) else "class"
        lines = [f"#### `{full}`", "", f"*{kind}* `{signature(name, obj)}`", ""]
        lines += [first_paragraph(obj.__doc__), ""]
        methods = []
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            if isinstance(value, property):
                methods.append(f"- `{attr}` (property): {first_paragraph(value.__doc__)}")
            elif inspect.isfunction(value) or isinstance(value, classmethod | staticmethod):
                func = value.__func__ if isinstance(value, classmethod | staticmethod) else value
                methods.append(f"- `{signature(attr, func)}`: {first_paragraph(func.__doc__)}")
        if methods:
            lines += ["Members:", "", *methods, ""]
        return lines
    if callable(obj):
        return [
            f"#### `{full}`",
            "",
            f"*function* `{signature(name, obj)}`",
            "",
            first_paragraph(obj.__doc__),
            "",
        ]
    comment = data_comments(module).get(name, "")
    own = getattr(obj, "description", None)  # e.g. a packaged Detector describes itself
    if not comment and isinstance(own, str) and own:
        comment = own
    return [
        f"#### `{full}`",
        "",
        f"*data* `{name} = {short_value(obj)}`",
        "",
        comment or "*(no description)*",
        "",
    ]


def render() -> str:
    """The whole api.md text."""
    modules = public_modules()
    documented = {m.__name__ for m in modules}
    out = [
        "# API reference",
        "",
        "Generated by `docs/make_api.py` from the docstrings of the installed package; do not edit",
        "by hand (run `PYTHONPATH=src python docs/make_api.py` after changing a docstring).",
        "Every quantity is in the CLHEP units of `hepunits` (MeV = mm = ns = 1) unless its name",
        "or docstring says otherwise. For each public module: the members of its `__all__`, with",
        "signature and the first paragraph of the docstring; `help(muphilic.x.y)` shows the rest.",
        "",
        "## Modules",
        "",
    ]
    for module in modules:
        out.append(f"- [`{module.__name__}`](#{anchor(module.__name__)})")
    out.append("")
    for module in modules:
        out += [f"## {module.__name__}", "", first_paragraph(module.__doc__), ""]
        elsewhere: list[str] = []
        for name in module.__all__:
            obj = getattr(module, name)
            home = home_module(module, name, obj, modules)
            if home != module.__name__ and home in documented:
                elsewhere.append(f"[`{name}`](#{anchor(home + '.' + name)})")
                continue
            out += describe(module, name, obj)
        if elsewhere:
            out += ["Also exported here (documented where defined): " + ", ".join(elsewhere), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> None:
    """Write docs/api.md."""
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(public_modules())} modules)", file=sys.stderr)


if __name__ == "__main__":
    main()
