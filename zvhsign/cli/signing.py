"""``zvhsign sign``: a partner signs an approved copy."""

from __future__ import annotations

from pathlib import Path

import click

from .keyopts import key_options, key_source
from .main import LEVEL_CHOICES, _workspace, cli

# ------------------------------------------------------------------------------- sign


@cli.command()
@click.argument("inp", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Signed PDF to write (never the input).")
@click.option("--level", type=click.Choice(LEVEL_CHOICES), help="PAdES level (default B-LTA when a TSA is configured, else B-B).")
@click.option("--field", "field_name", help="Signature field to fill (default: the next free ZVH_Handtekening_NN).")
@click.option("--reason", help="Reason shown in the signature.")
@click.option("--location", help="Location shown in the signature.")
@key_options
@click.pass_context
def sign(ctx, inp, out, level, field_name, reason, location, pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    """Sign an approved copy IN with your key (PAdES), writing the signed copy to -o.

    IN must be an approved version with at most other partners' signatures added;
    anything else is refused. The passphrase comes from a prompt, --passphrase-file
    or $ZVHSIGN_PASSPHRASE, never from the command line.

    \b
    Example:
      zvhsign sign convenant-1.0.pdf --key mijn-sleutel.p12 -o convenant-1.0-getekend.pdf
    """
    from ..domain.documents import PadesLevel
    from ..services.signing import sign as do_sign

    ws = _workspace(ctx)
    key = key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file)
    result = do_sign(
        ws, inp, key, out, level=PadesLevel.parse(level) if level else None,
        field_name=field_name, reason=reason, location=location,
    )
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    what = result.approved.label if result.approved else "document"
    click.echo(f"signed {what} as {result.signer_subject}")
    click.echo(f"  field {result.field_name}, PAdES {result.level.value} → {out}")


