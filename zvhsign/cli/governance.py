"""``zvhsign partner|signatory|mandate|status``: who may sign, mandates, the partner × document matrix."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, EXIT_OK
from ..i18n import _, local_date, local_time, using
from .keyopts import key_options, key_source
from .main import _workspace, cli

KIND_HELP = "gemeente, om, politie, rvdk, jeugdzorg, ggz, reclassering, veilig-thuis or overig"


# ---------------------------------------------------------------------------- partner


@cli.group()
def partner():
    """Partners of the ZVH (municipalities and organisations) in the registry.

    \b
    Example:
      zvhsign partner import partners.toml
      zvhsign partner add haarlem --name "Gemeente Haarlem" --kind gemeente --kvk 90000022
      zvhsign partner list
    """


@partner.command("add")
@click.argument("key")
@click.option("--name", required=True, help='Full name, e.g. "Gemeente Haarlem".')
@click.option("--kind", required=True, help=f"Kind of partner: {KIND_HELP}.")
@click.option("--oin", help="OIN (20 digits).")
@click.option("--kvk", help="KvK number (8 digits); certificates carry organizationIdentifier NTRNL-<kvk>.")
@click.option("--signing-role", "signing_roles", multiple=True, help="A role that signs for this partner (repeatable; default by kind, e.g. burgemeester for a gemeente).")
@click.pass_context
def partner_add(ctx, key, name, kind, oin, kvk, signing_roles):
    """Register partner KEY (a short id such as haarlem or om).

    \b
    Example:
      zvhsign partner add haarlem --name "Gemeente Haarlem" --kind gemeente --kvk 90000022
    """
    from ..services.governance import add_partner, make_partner

    p = add_partner(_workspace(ctx), make_partner(key, name, kind, oin, kvk, signing_roles))
    click.echo(f"registered partner {p.key}: {p.name} ({p.kind}); signs as: {', '.join(p.effective_signing_roles)}")


@partner.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def partner_list(ctx, as_json):
    """List the registered partners.

    \b
    Example:
      zvhsign partner list --json
    """
    from ..services.governance import list_partners

    ps = list_partners(_workspace(ctx))
    if as_json:
        click.echo(json.dumps([p.to_json() for p in ps], indent=2, ensure_ascii=False))
        return
    if not ps:
        click.echo("no partners registered (zvhsign partner import FILE)")
    for p in ps:
        ids = ", ".join(x for x in (f"OIN {p.oin}" if p.oin else "", p.organisation_identifier or "") if x)
        click.echo(f"{p.key:<16} {p.name:<40} {p.kind:<13} {ids}")


@partner.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def partner_show(ctx, key, as_json):
    """Show a partner with its signatories and mandates.

    \b
    Example:
      zvhsign partner show haarlem
    """
    from ..services.governance import show_partner

    p, sigs, mandates = show_partner(_workspace(ctx), key)
    if as_json:
        click.echo(json.dumps({
            **p.to_json(), "signatories": [s.to_json() for s in sigs],
            "mandates": [m.to_json() for m in mandates],
        }, indent=2, ensure_ascii=False))
        return
    click.echo(f"{p.name} ({p.key}, {p.kind})")
    if p.oin:
        click.echo(f"  OIN {p.oin}")
    if p.kvk:
        click.echo(f"  KvK {p.kvk} (certificates: organizationIdentifier {p.organisation_identifier})")
    click.echo(f"  signs as: {', '.join(p.effective_signing_roles)}")
    for s in sigs:
        click.echo(f"  signatory {s.name} — {s.role}; {len(s.fingerprints)} certificate(s)")
        for fp in s.fingerprints:
            click.echo(f"      {fp}")
    for m in mandates:
        covers = ", ".join(f"{c.document.value} {c.version}" for c in m.terms.covers)
        click.echo(
            f"  mandate {m.sha256.short} of {m.terms.decision_date}: {m.terms.mayor} for {covers}"
            + (f" (revoked from {local_time(m.revoked_at)})" if m.revoked_at else "")
        )


@partner.command("rename")
@click.argument("key")
@click.argument("name")
@click.pass_context
def partner_rename(ctx, key, name):
    """Give partner KEY a new NAME (logged with the old one).

    \b
    Example:
      zvhsign partner rename ggz "GGZ Noord-Holland-Noord"
    """
    from ..services.governance import rename_partner

    p = rename_partner(_workspace(ctx), key, name)
    click.echo(f"renamed {p.key}: {p.name}")


@partner.command("remove")
@click.argument("key")
@click.pass_context
def partner_remove(ctx, key):
    """Remove partner KEY registered by mistake, with its signatories (logged).

    Refused (exit 1) once recorded copies hold its signatures or it has a mandate:
    then it is part of the evidence; retire its signatories instead.

    \b
    Example:
      zvhsign partner remove veilig-thuis
    """
    from ..services.governance import remove_partner

    p = remove_partner(_workspace(ctx), key)
    click.echo(f"removed {p.name} ({p.key})")


@partner.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def partner_import(ctx, file):
    """Add the partners and signatories of FILE (.toml or .csv, see docs/partners-import.md).

    Those already registered are skipped, so the secretariat can re-import its file.

    \b
    Example:
      zvhsign partner import partners.toml
    """
    from ..services.governance import import_partners

    r = import_partners(_workspace(ctx), file)
    click.echo(f"imported {len(r.partners)} partner(s) and {len(r.signatories)} signatory(ies)")
    for s in r.skipped:
        click.echo(f"  skipped {s}")


# -------------------------------------------------------------------------- signatory


@cli.group()
def signatory():
    """People who sign for a partner, with their role and certificate(s).

    \b
    Example:
      zvhsign signatory add haarlem --name "Willemijn Bosschaart" --role burgemeester --cert bosschaart.pem
      zvhsign signatory list --partner haarlem
    """


@signatory.command("add")
@click.argument("partner_key")
@click.option("--name", required=True, help="Full name as in the certificate (CN).")
@click.option("--role", required=True, help="Role, e.g. burgemeester, gemeentesecretaris, directeur.")
@click.option("--cert", "certs", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="Their signing certificate, PEM or DER (repeatable).")
@click.option("--fingerprint", "fingerprints", multiple=True, help="SHA-256 fingerprint of a certificate instead of the file (repeatable).")
@click.pass_context
def signatory_add(ctx, partner_key, name, role, certs, fingerprints):
    """Register a signatory of PARTNER_KEY (adding certificates to an existing one works too).

    \b
    Example:
      zvhsign signatory add haarlem --name "Willemijn Bosschaart" --role burgemeester --cert bosschaart.pem
    """
    from ..services.governance import add_signatory, make_signatory

    s = add_signatory(_workspace(ctx), make_signatory(partner_key, name, role, fingerprints, certs))
    click.echo(f"registered {s.name} ({s.role}) for {s.partner_key} with {len(s.fingerprints)} certificate(s)")


@signatory.command("retire")
@click.argument("partner_key")
@click.argument("name")
@click.option("--date", "effective", required=True, type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), help="From when they no longer sign, Dutch local time (YYYY-MM-DD means from 00:00).")
@click.option("--reason", required=True, help="Why, e.g. \"nieuwe burgemeester per 2027-01-01\" (goes into the audit log).")
@click.pass_context
def signatory_retire(ctx, partner_key, name, effective, reason):
    """Record that NAME no longer signs for PARTNER_KEY from --date on (logged).

    Their signatures proven (by timestamp) to exist before then stay valid; later
    ones fail as not authorised (SIGNER_RETIRED), and `sign` refuses them.

    \b
    Example:
      zvhsign signatory retire haarlem "Willemijn Bosschaart" --date 2027-01-01 --reason "nieuwe burgemeester"
    """
    from ..services.governance import retire_signatory

    s = retire_signatory(_workspace(ctx), partner_key, name, effective, reason)
    click.echo(f"retired {s.name} ({s.role}, {s.partner_key}) from {local_time(s.retired_at)}")


@signatory.command("list")
@click.option("--partner", help="Only this partner's signatories.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def signatory_list(ctx, partner, as_json):
    """List the registered signatories.

    \b
    Example:
      zvhsign signatory list --partner zandvoort
    """
    from ..services.governance import list_signatories

    rows = list_signatories(_workspace(ctx), partner)
    if as_json:
        click.echo(json.dumps([s.to_json() for _, s in rows], indent=2, ensure_ascii=False))
        return
    for p, s in rows:
        may = "signs" if p.may_sign(s.role) else "does not sign the documents"
        click.echo(f"{p.key:<16} {s.name:<28} {s.role:<28} {len(s.fingerprints)} cert(s); {may}")


# ---------------------------------------------------------------------------- mandate


@cli.group()
def mandate():
    """The College's machtigingsbesluit that lets the burgemeester sign for it.

    \b
    The round:
      zvhsign mandate draft --gemeente Haarlem --burgemeester "Willemijn Bosschaart" --date 2026-11-10 -o m.pdf
      zvhsign mandate sign m.pdf --as secretaris --key secretaris.p12 -o m-1.pdf
      zvhsign mandate sign m-1.pdf --as burgemeester --key burgemeester.p12 -o m-getekend.pdf
      zvhsign mandate register m-getekend.pdf
      zvhsign sign convenant-1.0.pdf --key burgemeester.p12 --mandate m-getekend.pdf -o getekend.pdf
      zvhsign mandate revoke SHA256 --date 2027-03-01 --reason "..."   when the College revokes it
    """


@mandate.command("draft")
@click.option("--gemeente", required=True, help="The municipality (partner key or name).")
@click.option("--burgemeester", required=True, help="Name of the burgemeester being authorised.")
@click.option("--date", "decision_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Date of the College's decision (YYYY-MM-DD).")
@click.option("--covers", "covers", multiple=True, help="DOCUMENT:VERSION to cover, e.g. convenant:1.0 (repeatable; default: the current approved versions).")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Mandate PDF to write.")
@click.pass_context
def mandate_draft(ctx, gemeente, burgemeester, decision_date, covers, out):
    """Render the machtigingsbesluit (the seed's model text, filled in) with two signature fields.

    The PDF carries the municipality, mayor, decision date and the SHA-256 of the
    approved versions it covers as metadata.

    \b
    Example:
      zvhsign mandate draft --gemeente Haarlem --burgemeester "Willemijn Bosschaart" \\
          --date 2026-11-10 -o machtiging-haarlem.pdf
    """
    from ..domain.documents import DocumentKind
    from ..errors import UsageError
    from ..services.governance import draft_mandate

    ws = _workspace(ctx)
    with using(ws.config.lang):
        versions = []
        for c in covers:
            doc, _sep, ver = c.partition(":")
            try:
                versions.append((DocumentKind.parse(doc), ver))
            except ValueError as exc:
                raise UsageError(f"--covers {c}: {exc}") from None
        t = draft_mandate(ws, gemeente, burgemeester, decision_date.date(), out, versions=versions)
        click.echo(_("drafted the machtigingsbesluit of {municipality} for burgemeester {mayor} → {path}").format(
            municipality=t.municipality, mayor=t.mayor, path=out))
        for c in t.covers:
            click.echo(_("  covers {document} {version} ({sha})").format(
                document=c.document.value, version=c.version, sha=c.approved_sha256.short))
        click.echo(_("next: the secretaris and the burgemeester sign it (zvhsign mandate sign)"))


@mandate.command("sign")
@click.argument("inp", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "as_role", required=True, type=click.Choice(["secretaris", "burgemeester"]), help="Which of the two signs.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Signed mandate to write.")
@key_options
@click.pass_context
def mandate_sign(ctx, inp, as_role, out, pkcs12, pem_key, pem_cert, pem_chain, passphrase_file):
    """Sign a drafted mandate as the secretaris or the burgemeester (timestamped).

    \b
    Example:
      zvhsign mandate sign machtiging.pdf --as secretaris --key secretaris.p12 -o machtiging-1.pdf
    """
    from ..services.governance import sign_mandate

    from .progress import busy

    ws = _workspace(ctx)
    with using(ws.config.lang):
        key = key_source(pkcs12, pem_key, pem_cert, pem_chain, passphrase_file)
        with busy(_("signing the mandate: the signature, its timestamp and validation data…")):
            label = sign_mandate(ws, inp, key, out, as_role=as_role)
        click.echo(_("signed as {label} → {path}").format(label=label, path=out))


@mandate.command("register")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def mandate_register(ctx, file):
    """Verify both signatures of a signed mandate and record it in the registry.

    Both must be valid, trusted and timestamped, by that municipality's registered
    gemeentesecretaris and the burgemeester it names; else it is refused (exit 1).

    \b
    Example:
      zvhsign mandate register machtiging-haarlem-getekend.pdf
    """
    from ..services.governance import register_mandate

    from .progress import busy

    ws = _workspace(ctx)
    with using(ws.config.lang):
        with busy(_("checking both signatures of the mandate…")):
            m = register_mandate(ws, file)
        click.echo(_("registered the mandate of {municipality} ({date}) for {mayor}").format(
            municipality=m.terms.municipality, date=local_date(m.terms.decision_date), mayor=m.terms.mayor))
        click.echo(f"  SHA-256 {m.sha256.hex}")


@mandate.command("revoke")
@click.argument("sha256")
@click.option("--date", "effective", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), help="When the revocation takes effect, Dutch local time (YYYY-MM-DD means from 00:00); may lie in the future.")
@click.option("--reason", required=True, help="Why: e.g. the College's decision that revokes it (goes into the audit log).")
@click.option("--correct", is_flag=True, help="Correct an earlier revocation record: a new --date, or no --date (not revoked after all). Logged with the old value.")
@click.pass_context
def mandate_revoke(ctx, sha256, effective, reason, correct):
    """Record that the College revoked the mandate SHA256 (a prefix of 8+ hex digits will do).

    Signatures proven to exist before the revocation took effect (by their
    signature timestamp) stay covered; a signature made later fails
    (MANDATE_REVOKED), one that can't be proven earlier is INDETERMINATE
    (MANDATE_REVOCATION_ORDER_UNPROVEN). A date in the future takes effect on
    that date: until then `sign` accepts the mandate and `status` says
    "revoked from DATE".

    \b
    Examples:
      zvhsign partner show haarlem          # lists the mandates and their SHA-256
      zvhsign mandate revoke 3f9a1c0e --date 2027-03-01 --reason "B&W-besluit 2027-02-14"
      zvhsign mandate revoke 3f9a1c0e --correct --date 2027-04-01 --reason "datum verbeterd"
    """
    from ..services.governance import revoke_mandate

    ws = _workspace(ctx)
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


# ----------------------------------------------------------------------------- status


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema zvhsign.status/2).")
@click.pass_context
def status(ctx, as_json):
    """The partner × document matrix: signed / needs re-signing / indeterminate / invalid / missing.

    Every copy recorded with `zvhsign verify --record` is judged now by the same
    rules as `verify`, against the registry as it is now: a new approved version
    turns earlier signatures into "needs re-signing"; a mandate revocation, a
    retired signatory or changed trust settings change the verdict at once.
    Exit 0 when every partner has signed everything, else 1.

    \b
    Example:
      zvhsign verify --record signed/*.pdf && zvhsign status
    """
    from ..services.governance import status as do_status

    m = do_status(_workspace(ctx))
    if as_json:
        click.echo(json.dumps(m.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_status(m))
    ctx.exit(EXIT_OK if m.complete else EXIT_FINDINGS)


def render_status(m) -> str:
    from ..domain.documents import DocumentKind

    cur = ", ".join(f"{d.value} {a.version if a else '-'}" for d, a in m.current.items())
    lines = [f"current approved versions: {cur}", ""]
    head = f"{'partner':<36} " + " ".join(f"{d.value:<22}" for d in DocumentKind) + " mandate"
    lines += [head, "-" * len(head)]
    for r in m.rows:
        cells = []
        for d in DocumentKind:
            c = r.cells[d]
            detail = ", ".join(x for x in (c.version, c.qualification) if x)  # e.g. "1.0, QES"
            cells.append(f"{c.state.value + (f' ({detail})' if detail else ''):<22}")
        mand = r.mandate.state
        if r.mandate.revoked_at is not None and r.mandate.state.startswith("revoked from"):
            mand = f"ingetrokken per {local_date(r.mandate.revoked_at)}"
        if r.mandate.mayor:
            mand += f" ({r.mandate.mayor}, {r.mandate.decision_date})"
        lines.append(f"{r.partner.name:<36.36} " + " ".join(cells) + " " + mand)
    if not m.rows:
        lines.append("no partners registered (zvhsign partner import FILE)")
    return "\n".join(lines)
