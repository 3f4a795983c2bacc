"""The progress bar of every long computation (beam simulation, scans).

Bars go to standard error, so that ``--json`` output and redirected tables on
standard output stay clean.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["progress_bar"]


def progress_bar(enabled: bool) -> Progress:
    """A rich progress bar with counts and times; a silent no-op when ``enabled`` is False.

    Use as a context manager::

        with progress_bar(True) as bar:
            task = bar.add_task("mass points", total=60)
            bar.advance(task)
    """
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )
