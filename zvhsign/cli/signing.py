"""``zvhsign sign``: a partner signs an approved copy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import N_, UsageError
from ..i18n import _, local_date, ngettext, using
from ..services.findings_text import finding_text
from .click_help import help_text
from .keyopts import any_key_source, key_options, pkcs11_options
from .main import LEVEL_CHOICES, _spoken_workspace, cli

# ------------------------------------------------------------------------------- sign


def describe_key(key) -> str:  # noqa: ANN001
    """Where the key is, in the language spoken now (never a secret)."""
    if getattr(key, "is_token", False):
        label = key.key_label or key.cert_label
        if key.token_label:
            return _("PKCS#11 token {token!r}, key {label!r} ({module})").format(
                token=key.token_label, label=label, module=key.pkcs11_module)
        return _("PKCS#11 token, key {label!r} ({module})").format(label=label, module=key.pkcs11_module)
    if getattr(key, "pkcs12", None) is not None:
        return _("PKCS#12 file {path}").format(path=key.pkcs12)
    if getattr(key, "pem_key", None) is not None:
        return _("PEM key {path}").format(path=key.pem_key)
    return key.describe()


def render_preflight(pf, key_text: str | None = None) -> str:  # noqa: ANN001
    """The pre-flight as a signatory reads it (problems marked with !!), in the language
    spoken now; dates are Dutch calendar dates."""
    cert = pf.signer
    rows: list[tuple[str, str, bool]] = []

    def row(label: str, text: str, ok: bool = True) -> None:
        rows.append((label, text, ok))

    av = pf.approved
    if av is not None:
        row(_("document"), _("{title}, version {version}").format(title=av.document.title, version=av.version))
        row(_("approved"), f"SHA-256 {av.approved_sha256.hex}")
        row("", _("decided on {date} (Bestuurlijke Regiegroep)").format(date=local_date(av.decided_on)))
        if pf.current_version:
            row(_("superseded"), _("by version {version}: sign that one instead").format(
                version=pf.current_version), ok=False)
    else:
        row(_("document"), "?")
    row(_("copy"), ngettext("{path} ({n} partner signature so far)", "{path} ({n} partner signatures so far)",
                            pf.partner_signatures).format(path=pf.inp, n=pf.partner_signatures))
    row(_("signer"), cert.common_name or cert.subject)
    row("", ", ".join(x for x in (cert.title, cert.organisation, cert.organisation_identifier) if x))
    if pf.capacity:
        row(_("capacity"), pf.capacity)
    if pf.mandate_sha256:
        row(_("mandate"), _("SHA-256 {prefix}… (bound into the signature)").format(prefix=pf.mandate_sha256[:16]))
    valid = _("valid {start} to {end}").format(start=local_date(cert.not_before), end=local_date(cert.not_after))
    row(_("certificate"), valid + ("" if pf.certificate_valid_now else "  -- " + _("NOT valid now")),
        ok=pf.certificate_valid_now)
    usage = ", ".join(cert.key_usage) or _("(not restricted)")
    ku_ok = pf.key_usage_ok or not cert.key_usage
    row(_("key usage"), usage + ("" if ku_ok else "  -- " + _("no non-repudiation: not a signing certificate")),
        ok=ku_ok)
    row(_("key"), key_text or pf.key)
    if pf.visible:
        where = _("visible, in {field} on the signature page").format(field=pf.field_name)
    else:
        where = _("invisible, in {field}").format(field=pf.field_name)
    row(_("signature"), f"PAdES {pf.level.value}, {where}")
    if not pf.level.timestamped:
        row(_("timestamp"), _("none (level B-B)"), ok=False)
    elif pf.tsa_problem:
        row(_("timestamp"), pf.tsa_problem, ok=False)
    else:
        row(_("timestamp"), _("TSA {url} answers").format(url=pf.tsa_url))
    row(_("output"), str(pf.out))
    width = max(len(label) for label, _text, _ok in rows)
    # the verdict verify will give the signature (judged beforehand by the same rules)
    checks = [f for f in pf.findings if f.level.value != "INFO"]
    passed = [f.code for f in pf.findings if f.level.value == "INFO"]
    if passed:
        row(_("checks"), ", ".join(passed))
    for f in checks:  # in the language spoken now: the code's meaning, the rule's facts as details
        said = finding_text(f)
        row(f.code, said.text, ok=False)
        if said.details:
            row("", _("details: {message}").format(message=said.details))
    width = max(width, len(_("checks")))
    lines = [_("Pre-flight: you are about to sign")]
    lines += [f"  {'!!' if not ok else '  '} {label:<{width}} {text}" for label, text, ok in rows]
    return "\n".join(lines)


# Translators: the --help of `zvhsign sign`. Click rewraps the
# paragraphs; the example lines are shown as written: keep the
# commands and their file names as they are.
_SIGN_HELP = N_("""\
Sign an approved copy IN with your key (PAdES), writing the signed copy to -o.

First shows what you are about to sign (document, version, approved SHA-256
and decision date, you as the certificate names you, certificate validity and
key usage, level, whether the timestamp service answers) and asks to confirm.
IN must be an approved, current version with at most other partners'
signatures added; anything else is refused, and nothing is written on any
failure. Passphrases and PINs come from a prompt, a file (--passphrase-file,
--pin-file) or $ZVHSIGN_PASSPHRASE / $ZVHSIGN_PIN, never from the command line.

Examples:
  zvhsign sign convenant-1.0.pdf --key mijn-sleutel.p12 -o convenant-1.0-getekend.pdf
  zvhsign sign convenant-1.0.pdf --dry-run --key mijn-sleutel.p12 -o x.pdf
  zvhsign sign convenant-1.0.pdf --key burgemeester.p12 --mandate machtiging-getekend.pdf -o getekend.pdf
  zvhsign sign convenant-1.0.pdf -o getekend.pdf \\
      --pkcs11-module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --cert-label "Handtekening\"""")


@cli.command(help=help_text(_SIGN_HELP), short_help=N_("Sign an approved copy with your key (PAdES)."))  # said in the workspace's language (cli/click_help.py)
@click.argument("inp", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=N_("Signed PDF to write (never the input)."))
@click.option("--level", type=click.Choice(LEVEL_CHOICES), help=N_("PAdES level (default B-LTA when a TSA is configured, else B-B)."))
@click.option("--field", "field_name", help=N_("Signature field to fill (default: the next free ZVH_Handtekening_NN)."))
@click.option("--reason", help=N_("Reason recorded in the signature."))
@click.option("--location", help=N_("Location recorded in the signature."))
@click.option("--invisible", is_flag=True, help=N_("No visible signature on the signature page."))
@click.option("--dry-run", is_flag=True, help=N_("Show the pre-flight and stop: nothing is signed or written."))
@click.option("--yes", "-y", "assume_yes", is_flag=True, help=N_("Don't ask for confirmation (for scripts)."))
@click.option("--mandate", "mandate", type=click.Path(dir_okay=False, path_type=Path), help=N_("A burgemeester signing for the College: the signed, registered machtigingsbesluit. Its SHA-256 and the capacity go into the signature."))
@key_options
@pkcs11_options
@click.pass_context
def sign(ctx, inp, out, level, field_name, reason, location, invisible, dry_run, assume_yes, mandate,
         pkcs12, pem_key, pem_cert, pem_chain, passphrase_file,
         pkcs11_module, token_label, key_label, cert_label, pin_file):
    ws = _spoken_workspace(ctx)
    with using(ws.config.lang):
        _sign(ws, inp, out, level, field_name, reason, location, invisible, dry_run, assume_yes, mandate,
              pkcs12, pem_key, pem_cert, pem_chain, passphrase_file,
              pkcs11_module, token_label, key_label, cert_label, pin_file)


def _sign(ws, inp, out, level, field_name, reason, location, invisible, dry_run, assume_yes, mandate,  # noqa: ANN001
          pkcs12, pem_key, pem_cert, pem_chain, passphrase_file,
          pkcs11_module, token_label, key_label, cert_label, pin_file) -> None:
    from ..domain.documents import PadesLevel
    from ..services.signing import sign as do_sign
    from .progress import Busy

    if not (pkcs12 or pem_key or pem_cert or pkcs11_module):
        raise UsageError(_("no signing key: give --key FILE.p12, --pem-key/--pem-cert, "
                           "or --pkcs11-module with --cert-label"))
    key = any_key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file,
                         pkcs11_module, token_label, key_label, cert_label, pin_file)
    busy = Busy()

    def show(pf):
        busy.stop()
        click.echo(render_preflight(pf, describe_key(key)))

    def confirm(pf) -> bool:
        if not assume_yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    _("not signed: confirmation needed, but there is no terminal to ask on"),
                    hint=_("check the pre-flight above and add --yes, or use --dry-run to only look"),
                )
            if not _ask_yes(_("Sign this document?")):
                return False
        busy.start(_("signing: the signature, its timestamps and validation data…"))
        return True

    mandate_sha256 = capacity = None
    try:
        busy.start(_("checking the copy, your certificate and the timestamp service…"))
        if mandate is not None:
            from ..services.governance import mandate_binding

            mandate_sha256, capacity = mandate_binding(ws, mandate)
        result = do_sign(
            ws, inp, key, out, level=PadesLevel.parse(level) if level else None,
            field_name=field_name, reason=reason, location=location, visible=not invisible,
            dry_run=dry_run, show=show, confirm=confirm, mandate_sha256=mandate_sha256, capacity=capacity,
        )
    finally:
        busy.stop()
    for w in result.warnings:
        click.echo(_("warning: {text}").format(text=w), err=True)
    if not result.written:
        click.echo(_("dry run: nothing signed, nothing written"))
        return
    what = result.approved.label if result.approved else _("document")
    click.echo(_("signed {what} as {signer}").format(what=what, signer=result.signer_subject))
    click.echo(_("  field {field}, PAdES {level} → {path}").format(
        field=result.field_name, level=result.level.value, path=out))


_YES = {"y", "yes", "j", "ja"}
_NO = {"", "n", "no", "nee"}


def _ask_yes(question: str) -> bool:
    """Ask ``question`` on the terminal: y/yes and, in Dutch, j/ja say yes (click's own
    confirmation knows only y/n); n, nee or Enter say no, as does Ctrl-D. Ctrl-C is the
    command's interruption (exit 3, nothing written), not a refusal."""
    choices = _("[y/N]")
    while True:
        click.echo(f"{question} {choices} ", nl=False)
        line = _read_line()
        if line is None:  # Ctrl-D
            click.echo()
            return False
        answer = line.strip().lower()
        if answer in _YES or answer in _NO:
            return answer in _YES
        click.echo(_("answer y (yes) or n (no)"), err=True)


def _read_line() -> str | None:
    """A line typed on standard input (None at its end), waited for in short steps: a Ctrl-C
    that comes while the question is being asked interrupts the command. (A blocking read --
    ``input()``, readline -- that starts just after the signal arrived waits for a line first:
    the command hung at the question.)"""
    import select

    while True:
        ready, _w, _x = select.select([sys.stdin], [], [], 0.2)
        if ready:
            line = sys.stdin.readline()
            return line if line else None
