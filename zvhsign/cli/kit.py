"""``zvhsign kit``: the folder a partner signatory needs to sign."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .main import _workspace, cli


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema zvhsign.kit/1).")
@click.pass_context
def kit(ctx, directory, as_json):
    """Write a partner kit into DIRECTORY (new or empty): the approved copies to sign,
    the trust settings and a small registry, and LEESMIJ.txt with the steps in Dutch.

    A partner signatory unpacks it and, in that folder, runs `zvhsign sign` with
    their own key: the same checks as here (approved version, superseded or not,
    certificate, TSA), without access to the secretariat's registry.

    \b
    Example:
      zvhsign kit kit-politie && zip -r kit-politie.zip kit-politie
      # the partner, in the unpacked folder:
      zvhsign sign convenant-1.0.pdf --key mijn-certificaat.p12 -o convenant-1.0-getekend.pdf
    """
    from ..services.kit import README_NAME, export_kit

    result = export_kit(_workspace(ctx), directory)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"partner kit ready: {result.directory}")
    for f in result.files:
        click.echo(f"  to sign: {f.name}")
    superseded = [v for v in result.versions if v.superseded_by]
    if superseded:
        click.echo(f"  also recorded (superseded): {', '.join(v.label for v in superseded)}")
    click.echo(f"  steps for the partner: {result.directory / README_NAME}")
