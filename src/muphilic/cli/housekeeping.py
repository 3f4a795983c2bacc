"""``muphilic config`` and ``muphilic cache``: the run configuration and the cache."""

from __future__ import annotations

import sys

import click

from muphilic.cli.common import OptionError
from muphilic.cli.entry import app


@app.command()
@click.option("--show-defaults", is_flag=True, help="Print the default configuration (TOML).")
@click.option("--check", "check_path", default=None, help="Validate a configuration file.")
def config(show_defaults: bool, check_path: str | None) -> None:
    """Show the default run configuration, or validate a file and every file it names."""
    from muphilic.config import RunConfig, check_inputs, estimate_cost, load_config

    if check_path:
        loaded = load_config(check_path)
        check_inputs(loaded)
        cost = estimate_cost(loaded).describe()
        click.echo(f"{check_path}: valid (sha256 {loaded.digest()[:16]}); {cost}")
        return
    click.echo(RunConfig().to_toml(), nl=False)


@app.command()
@click.option("--list", "list_entries", is_flag=True, help="List cached entries (the default).")
@click.option("--clear", is_flag=True, help="Delete every cached entry (asks first in a terminal).")
@click.option("--yes", is_flag=True, help="With --clear: do not ask.")
def cache(list_entries: bool, clear: bool, yes: bool) -> None:
    """Inspect or clear the cache of beam samples and cross-section tables.

    Only files the cache wrote itself are listed or removed.
    """
    from muphilic.cache import cache_dir, clear_cache, list_cache

    if list_entries and clear:
        raise OptionError("--list/--clear", "give one of them, not both")
    if yes and not clear:
        raise OptionError("--yes", "only means something with --clear")
    entries = list_cache()
    size_mb = sum(entry.size_bytes for entry in entries) / 1e6
    folder = cache_dir()
    if clear:
        if not entries:
            click.echo(f"cache: {folder} holds no entries; nothing removed")
            return
        question = f"remove {len(entries)} cached entries ({size_mb:.2f} MB) from {folder}?"
        if not yes and sys.stdin.isatty() and not click.confirm(question):
            click.echo("nothing removed")
            return
        removed = clear_cache()
        click.echo(f"removed {removed} cached entries ({size_mb:.2f} MB) from {folder}")
        return
    click.echo(f"cache: {folder} ({len(entries)} entries, {size_mb:.2f} MB)")
    for entry in entries:
        note = "  (left by an interrupted run)" if entry.temporary else ""
        click.echo(f"  {entry.kind:8s} {entry.path.name}  {entry.size_bytes / 1e6:8.2f} MB{note}")
