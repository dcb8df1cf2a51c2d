"""The `nexus` command line. One module per group of commands; importing them registers the
commands on the shared Typer app."""

# Imported in the order `nexus --help` lists them.
from nexus.cli import coding, query, brief, exchange, store_admin, serve, evaluate, bench, demo  # noqa: F401, I001 - registers the commands
from nexus.cli.coding import TSV_COLUMNS
from nexus.cli.common import app

__all__ = ["TSV_COLUMNS", "app"]
