"""``zvhsign sign``: a partner signs an approved copy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from .keyopts import any_key_source, key_options, pkcs11_options
from .main import LEVEL_CHOICES, _workspace, cli

# ------------------------------------------------------------------------------- sign


def render_preflight(pf) -> str:
    """The pre-flight as a signatory reads it (problems marked with !!)."""
    cert = pf.signer
    lines = ["Pre-flight: you are about to sign"]

    def row(label: str, text: str, ok: bool = True) -> None:
        lines.append(f"  {'!!' if not ok else '  '} {label:<12} {text}")

    av = pf.approved
    if av is not None:
        row("document", f"{av.document.title}, version {av.version}")
        row("approved", f"SHA-256 {av.approved_sha256.hex}")
        row("", f"decided on {av.decided_on:%Y-%m-%d} (Bestuurlijke Regiegroep)")
        if pf.current_version:
            row("superseded", f"by version {pf.current_version}: sign that one instead", ok=False)
    else:
        row("document", "?")
    row("copy", f"{pf.inp} ({pf.partner_signatures} partner signature(s) so far)")
    row("signer", cert.common_name or cert.subject)
    row("", ", ".join(x for x in (cert.title, cert.organisation, cert.organisation_identifier) if x))
    if pf.capacity:
        row("capacity", pf.capacity)
    if pf.mandate_sha256:
        row("mandate", f"SHA-256 {pf.mandate_sha256[:16]}… (bound into the signature)")
    valid = f"valid {cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}"
    row("certificate", valid + ("" if pf.certificate_valid_now else "  -- NOT valid now"), ok=pf.certificate_valid_now)
    usage = ", ".join(cert.key_usage) or "(not restricted)"
    ku_ok = pf.key_usage_ok or not cert.key_usage
    row("key usage", usage + ("" if ku_ok else "  -- no non-repudiation: not a signing certificate"), ok=ku_ok)
    row("key", pf.key)
    where = f"visible, in {pf.field_name} on the signature page" if pf.visible else f"invisible, in {pf.field_name}"
    row("signature", f"PAdES {pf.level.value}, {where}")
    if not pf.level.timestamped:
        row("timestamp", "none (level B-B)", ok=False)
    elif pf.tsa_problem:
        row("timestamp", pf.tsa_problem, ok=False)
    else:
        row("timestamp", f"TSA {pf.tsa_url} answers")
    row("output", str(pf.out))
    # the verdict verify will give the signature (judged beforehand by the same rules)
    checks = [f for f in pf.findings if f.level.value != "INFO"]
    passed = [f.code for f in pf.findings if f.level.value == "INFO"]
    if passed:
        row("checks", ", ".join(passed))
    for f in checks:
        row(f.code, f.message, ok=False)
    return "\n".join(lines)


@cli.command()
@click.argument("inp", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Signed PDF to write (never the input).")
@click.option("--level", type=click.Choice(LEVEL_CHOICES), help="PAdES level (default B-LTA when a TSA is configured, else B-B).")
@click.option("--field", "field_name", help="Signature field to fill (default: the next free ZVH_Handtekening_NN).")
@click.option("--reason", help="Reason recorded in the signature.")
@click.option("--location", help="Location recorded in the signature.")
@click.option("--invisible", is_flag=True, help="No visible signature on the signature page.")
@click.option("--dry-run", is_flag=True, help="Show the pre-flight and stop: nothing is signed or written.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Don't ask for confirmation (for scripts).")
@click.option("--mandate", "mandate", type=click.Path(dir_okay=False, path_type=Path), help="A burgemeester signing for the College: the signed, registered machtigingsbesluit. Its SHA-256 and the capacity go into the signature.")
@key_options
@pkcs11_options
@click.pass_context
def sign(ctx, inp, out, level, field_name, reason, location, invisible, dry_run, assume_yes, mandate,
         pkcs12, pem_key, pem_cert, pem_chain, passphrase_file,
         pkcs11_module, token_label, key_label, cert_label, pin_file):
    """Sign an approved copy IN with your key (PAdES), writing the signed copy to -o.

    First shows what you are about to sign (document, version, approved SHA-256
    and decision date, you as the certificate names you, certificate validity and
    key usage, level, whether the timestamp service answers) and asks to confirm.
    IN must be an approved, current version with at most other partners'
    signatures added; anything else is refused, and nothing is written on any
    failure. Passphrases and PINs come from a prompt, a file (--passphrase-file,
    --pin-file) or $ZVHSIGN_PASSPHRASE / $ZVHSIGN_PIN, never from the command line.

    \b
    Examples:
      zvhsign sign convenant-1.0.pdf --key mijn-sleutel.p12 -o convenant-1.0-getekend.pdf
      zvhsign sign convenant-1.0.pdf --dry-run --key mijn-sleutel.p12 -o x.pdf
      zvhsign sign convenant-1.0.pdf --key burgemeester.p12 --mandate machtiging-getekend.pdf -o getekend.pdf
      zvhsign sign convenant-1.0.pdf -o getekend.pdf \\
          --pkcs11-module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --cert-label "Handtekening"
    """
    from ..domain.documents import PadesLevel
    from ..services.signing import sign as do_sign

    ws = _workspace(ctx)
    if not (pkcs12 or pem_key or pem_cert or pkcs11_module):
        raise UsageError("no signing key: give --key FILE.p12, --pem-key/--pem-cert, or --pkcs11-module with --cert-label")
    key = any_key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file,
                         pkcs11_module, token_label, key_label, cert_label, pin_file)

    def show(pf):
        click.echo(render_preflight(pf))

    def confirm(pf) -> bool:
        if assume_yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                "not signed: confirmation needed, but there is no terminal to ask on",
                hint="check the pre-flight above and add --yes, or use --dry-run to only look",
            )
        return click.confirm("Sign this document?", default=False)

    mandate_sha256 = capacity = None
    if mandate is not None:
        from ..services.governance import mandate_binding

        mandate_sha256, capacity = mandate_binding(ws, mandate)
    result = do_sign(
        ws, inp, key, out, level=PadesLevel.parse(level) if level else None,
        field_name=field_name, reason=reason, location=location, visible=not invisible,
        dry_run=dry_run, show=show, confirm=confirm, mandate_sha256=mandate_sha256, capacity=capacity,
    )
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    if not result.written:
        click.echo("dry run: nothing signed, nothing written")
        return
    what = result.approved.label if result.approved else "document"
    click.echo(f"signed {what} as {result.signer_subject}")
    click.echo(f"  field {result.field_name}, PAdES {result.level.value} → {out}")
