"""``zvhsign kit``: what a partner signatory needs to sign, one zip per partner."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UsageError
from .main import _workspace, cli


@cli.command(short_help="Write the kit a partner needs to sign (zip or folder).")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--partner", "-p", "partners", multiple=True, metavar="KEY",
              help="The partner to make a kit for (its key, e.g. politie; repeatable). "
              "Default: every registered partner.")
@click.option("--output-dir", "-o", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where to write the kit-PARTNER.zip files.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema zvhsign.kit/1).")
@click.pass_context
def kit(ctx, directory, partners, out_dir, as_json):
    """Write a partner kit per partner: kit-PARTNER.zip with the zvhsign wheel, the
    approved copies to sign, the trust settings, a registry extract, the partner's
    mandates and LEESMIJ.txt with the steps in Dutch (the workspace's [display] lang;
    the kit's zvhsign.toml carries the same setting, so `sign` in the kit speaks it too).

    The partner unpacks it on their own machine (Python 3.11), installs the wheel
    in a fresh virtual environment and, in that folder, runs `zvhsign sign` with
    their own key: the same checks as here (approved version, superseded or not,
    certificate, TSA), without access to the secretariat's registry. The signed
    copies are named after the partner (convenant-1.0-politie.pdf).

    With DIRECTORY: write one kit as a folder instead (with --partner: for that
    partner).

    \b
    Examples:
      zvhsign kit                              one zip per registered partner, here
      zvhsign kit --partner politie -o kits    kits/kit-politie.zip
      zvhsign kit kit-politie --partner politie    the same kit as a folder
    """
    from ..services.kit import README_NAME, export_kit, export_partner_kits

    from .progress import busy

    ws = _workspace(ctx)
    if directory is not None and len(partners) > 1:
        raise UsageError("a kit folder is for one partner; give one --partner, or leave out DIRECTORY")
    with busy("making the partner kits: the zvhsign wheel, copies, registry extract, LEESMIJ…"):
        if directory is not None:
            results = [export_kit(ws, directory, partner=partners[0] if partners else None)]
        else:
            results = export_partner_kits(ws, out_dir, partners)
    if as_json:
        doc = results[0].to_json() if directory is not None else {
            "schema": "zvhsign.kit/1", "kits": [r.to_json() for r in results]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    for r in results:
        where = r.archive if r.archive is not None else r.directory
        click.echo(f"partner kit{' for ' + r.partner if r.partner else ''} ready: {where}")
        for f, out in zip(r.files, r.signed_names):
            click.echo(f"  to sign: {f.name}  (the partner writes {out})")
        superseded = [v for v in r.versions if v.superseded_by]
        if superseded:
            click.echo(f"  also recorded (superseded): {', '.join(v.label for v in superseded)}")
        if r.wheel:
            click.echo(f"  zvhsign to install: {r.wheel}")
        click.echo(f"  steps for the partner: {README_NAME}")
