"""``zvhsign init``: create a workspace (or the missing registry of an existing one)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..services.workspace import CONFIG_NAME
from .main import cli


@cli.command(short_help="Create a workspace: zvhsign.toml, trust, registry.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--test-pki", is_flag=True, help="Use the bundled ZVH Test PKI and its local TSA/OCSP/CRL (TEST ONLY).")
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="PEM certificate of a trust root (repeatable).")
@click.option("--secretariat", "secretariat", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="PEM certificate whose certification approves versions (repeatable).")
@click.option("--intermediate", "intermediates", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="PEM intermediate CA certificate (repeatable).")
@click.option("--tsa-url", help="RFC 3161 timestamp authority URL for approve and sign.")
@click.option("--database-url", help="Registry database (default: SQLite file zvhsign.db in DIRECTORY; or postgresql+psycopg://…).")
def init(directory, test_pki, trust_roots, secretariat, intermediates, tsa_url, database_url):
    """Create a workspace in DIRECTORY: zvhsign.toml, trust certificates, registry.

    \b
    Example (production):
      zvhsign init zvh --trust-root root.pem --intermediate ca.pem \\
          --secretariat secretariaat.pem --tsa-url https://tsa.example/tsr
    Example (try it out):
      zvhsign init zvh-test --test-pki
    Without options on an existing workspace that has no registry (its
    SQLite file deleted), it creates the registry.
    """
    from ..services.setup import init_test_workspace, init_workspace
    from .progress import busy

    if not (test_pki or trust_roots or secretariat or intermediates or tsa_url or database_url):
        if (directory / CONFIG_NAME).exists():
            return _init_registry(directory)
    if test_pki:
        if trust_roots or secretariat or intermediates or tsa_url:
            raise UsageError("--test-pki sets trust and TSA itself; don't combine it with them")
        with busy("creating the workspace and its registry…"):
            ws = init_test_workspace(directory, database_url=database_url)
    else:
        with busy("creating the workspace and its registry…"):
            ws = init_workspace(
                directory, trust_roots=list(trust_roots), secretariat=list(secretariat),
                other_certs=list(intermediates), tsa_url=tsa_url, database_url=database_url,
            )
    click.echo(f"workspace ready: {ws.root} (config {ws.config_path.name})")
    from ..services.setup import workspace_notes

    for note in workspace_notes(ws):
        click.echo(f"note: {note}")


def _init_registry(directory: Path) -> None:
    """``init DIR`` on a workspace without a registry: create the registry."""
    from ..services.setup import create_missing_registry
    from .progress import busy

    with busy("creating the registry…"):
        ws = create_missing_registry(directory)
    click.echo(f"registry created: {ws.root} had none (settings in {ws.config_path.name} unchanged)")
    click.echo("note: the registry is new and empty; if the old one was lost, restore it from a backup "
               "instead (and remove this one first)")
