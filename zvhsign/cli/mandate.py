"""``zvhsign mandate``: the College's machtigingsbesluit -- drafted, signed by secretaris and
burgemeester, registered, revoked."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import N_
from ..i18n import _, local_date, local_time, using
from .click_help import help_text
from .keyopts import key_options, key_source
from .main import _spoken_workspace, cli


# ---------------------------------------------------------------------------- mandate


# Translators: the --help of `zvhsign mandate`. The lines of the
# round are shown as written: keep the commands as they are, translate
# the note at the end of the last one.
_MANDATE_HELP = N_("""\
The College's machtigingsbesluit that lets the burgemeester sign for it.

The round:
  zvhsign mandate draft --gemeente Haarlem --burgemeester "Willemijn Bosschaart" --date 2026-11-10 -o m.pdf
  zvhsign mandate sign m.pdf --as secretaris --key secretaris.p12 -o m-1.pdf
  zvhsign mandate sign m-1.pdf --as burgemeester --key burgemeester.p12 -o m-getekend.pdf
  zvhsign mandate register m-getekend.pdf
  zvhsign sign convenant-1.0.pdf --key burgemeester.p12 --mandate m-getekend.pdf -o getekend.pdf
  zvhsign mandate revoke SHA256 --date 2027-03-01 --reason "..."   when the College revokes it""")


@cli.group(help=help_text(_MANDATE_HELP), short_help=N_("The machtigingsbesluit: the burgemeester signs for the college."))  # said in the workspace's language (cli/click_help.py)
def mandate():
    pass


# Translators: the --help of `zvhsign mandate draft`. The example
# is shown as written: keep the command as it is.
_DRAFT_HELP = N_("""\
Render the machtigingsbesluit (the seed's model text, filled in) with two signature fields.

The PDF carries the municipality, mayor, decision date and the SHA-256 of the
approved versions it covers as metadata.

Example:
  zvhsign mandate draft --gemeente Haarlem --burgemeester "Willemijn Bosschaart" \\
      --date 2026-11-10 -o machtiging-haarlem.pdf""")


@mandate.command("draft", help=help_text(_DRAFT_HELP), short_help=N_("Draft the mandate decision (the fixed model text)."))
@click.option("--gemeente", required=True, help=N_("The municipality (partner key or name)."))
@click.option("--burgemeester", required=True, help=N_("Name of the burgemeester being authorised."))
@click.option("--date", "decision_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help=N_("Date of the College's decision (YYYY-MM-DD)."))
@click.option("--covers", "covers", multiple=True, help=N_("DOCUMENT:VERSION to cover, e.g. convenant:1.0 (repeatable; default: the current approved versions)."))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=N_("Mandate PDF to write."))
@click.pass_context
def mandate_draft(ctx, gemeente, burgemeester, decision_date, covers, out):
    from ..domain.documents import DocumentKind
    from ..errors import UsageError
    from ..services.governance import draft_mandate

    ws = _spoken_workspace(ctx)
    with using(ws.config.lang):
        versions = []
        for c in covers:
            doc, _sep, ver = c.partition(":")
            try:
                versions.append((DocumentKind.parse(doc), ver))
            except ValueError:  # DocumentKind.parse's own words (domain/documents.py), said here
                raise UsageError.spoken(
                    N_("--covers {value}: unknown document {document!r}; expected one of: {kinds}"),
                    value=c, document=doc, kinds=", ".join(k.value for k in DocumentKind),
                ) from None
        t = draft_mandate(ws, gemeente, burgemeester, decision_date.date(), out, versions=versions)
        click.echo(_("drafted the machtigingsbesluit of {municipality} for burgemeester {mayor} → {path}").format(
            municipality=t.municipality, mayor=t.mayor, path=out))
        for c in t.covers:
            click.echo(_("  covers {document} {version} ({sha})").format(
                document=c.document.value, version=c.version, sha=c.approved_sha256.short))
        click.echo(_("next: the secretaris and the burgemeester sign it (zvhsign mandate sign)"))


# Translators: the --help of `zvhsign mandate sign`. The example
# is shown as written: keep the command as it is.
_SIGN_MANDATE_HELP = N_("""\
Sign a drafted mandate as the secretaris or the burgemeester (timestamped).

Example:
  zvhsign mandate sign machtiging.pdf --as secretaris --key secretaris.p12 -o machtiging-1.pdf""")


@mandate.command("sign", help=help_text(_SIGN_MANDATE_HELP), short_help=N_("Sign a drafted mandate as secretaris or burgemeester."))
@click.argument("inp", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "as_role", required=True, type=click.Choice(["secretaris", "burgemeester"]), help=N_("Which of the two signs."))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=N_("Signed mandate to write."))
@key_options
@click.pass_context
def mandate_sign(ctx, inp, as_role, out, pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    from ..services.governance import sign_mandate

    from .progress import busy

    ws = _spoken_workspace(ctx)
    with using(ws.config.lang):
        key = key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file)
        with busy(_("signing the mandate: the signature, its timestamp and validation data…")):
            label = sign_mandate(ws, inp, key, out, as_role=as_role)
        click.echo(_("signed as {label} → {path}").format(label=label, path=out))


# Translators: the --help of `zvhsign mandate register`. The example
# is shown as written: keep the command as it is.
_REGISTER_HELP = N_("""\
Verify both signatures of a signed mandate and record it in the registry.

Both must be valid, trusted and timestamped, by that municipality's registered
gemeentesecretaris and the burgemeester it names; else it is refused (exit 1).

Example:
  zvhsign mandate register machtiging-haarlem-getekend.pdf""")


@mandate.command("register", help=help_text(_REGISTER_HELP), short_help=N_("Check both signatures and record the mandate."))
# Translators: the signed mandate in the usage line, in capitals (zvhsign mandate register FILE)
@click.argument("file", metavar=N_("FILE"), type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def mandate_register(ctx, file):
    from ..services.governance import register_mandate

    from .progress import busy

    ws = _spoken_workspace(ctx)
    with using(ws.config.lang):
        with busy(_("checking both signatures of the mandate…")):
            m = register_mandate(ws, file)
        click.echo(_("registered the mandate of {municipality} ({date}) for {mayor}").format(
            municipality=m.terms.municipality, date=local_date(m.terms.decision_date), mayor=m.terms.mayor))
        click.echo(f"  SHA-256 {m.sha256.hex}")


# Translators: the --help of `zvhsign mandate revoke`. The example
# lines are shown as written: keep the commands as they are, translate
# the note after the #.
_REVOKE_HELP = N_("""\
Record that the College revoked the mandate SHA256 (a prefix of 8+ hex digits will do).

Signatures proven to exist before the revocation took effect (by their
signature timestamp) stay covered; a signature made later fails
(MANDATE_REVOKED), one that can't be proven earlier is INDETERMINATE
(MANDATE_REVOCATION_ORDER_UNPROVEN). A date in the future takes effect on
that date: until then `sign` accepts the mandate and `status` says
"revoked from DATE".

Examples:
  zvhsign partner show haarlem          # lists the mandates and their SHA-256
  zvhsign mandate revoke 3f9a1c0e --date 2027-03-01 --reason "B&W-besluit 2027-02-14"
  zvhsign mandate revoke 3f9a1c0e --correct --date 2027-04-01 --reason "datum verbeterd\"""")


@mandate.command("revoke", help=help_text(_REVOKE_HELP), short_help=N_("Record that the college revoked a mandate."))
@click.argument("sha256")
@click.option("--date", "effective", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), help=N_("When the revocation takes effect, Dutch local time (YYYY-MM-DD means from 00:00); may lie in the future."))
@click.option("--reason", required=True, help=N_("Why: e.g. the College's decision that revokes it (goes into the audit log)."))
@click.option("--correct", is_flag=True, help=N_("Correct an earlier revocation record: a new --date, or no --date (not revoked after all). Logged with the old value."))
@click.pass_context
def mandate_revoke(ctx, sha256, effective, reason, correct):
    from ..services.governance import revoke_mandate

    ws = _spoken_workspace(ctx)
    with using(ws.config.lang):
        m = revoke_mandate(ws, sha256, effective, reason, correct=correct)
        fields = dict(municipality=m.terms.municipality, date=local_date(m.terms.decision_date),
                      mayor=m.terms.mayor, sha=m.sha256.short, when=local_time(m.revoked_at))
        if m.revoked_at is None:
            text = _("corrected the revocation of the mandate of {municipality} of {date} for {mayor} "
                     "({sha}): not revoked")
        elif correct:
            text = _("corrected the revocation of the mandate of {municipality} of {date} for {mayor} "
                     "({sha}): revoked with effect from {when}")
        else:
            text = _("revoked the mandate of {municipality} of {date} for {mayor} ({sha}) "
                     "with effect from {when}")
        click.echo(text.format(**fields))
