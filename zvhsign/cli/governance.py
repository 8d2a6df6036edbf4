"""``zvhsign partner|signatory|status``: who may sign, mandates, the partner × document matrix."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, EXIT_OK
from ..i18n import local_time
from .main import _workspace, cli

KIND_HELP = "gemeente, om, politie, rvdk, jeugdzorg, ggz, reclassering, veilig-thuis or overig"


# ---------------------------------------------------------------------------- partner


@cli.group(short_help="Partners of the ZVH in the registry.")
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


@partner.command("remove", short_help="Remove a partner registered by mistake (logged).")
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


@partner.command("import", short_help="Add partners and signatories from a .toml or .csv file.")
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


@cli.group(short_help="People who sign for a partner, with their certificates.")
def signatory():
    """People who sign for a partner, with their role and certificate(s).

    \b
    Example:
      zvhsign signatory add haarlem --name "Willemijn Bosschaart" --role burgemeester --cert bosschaart.pem
      zvhsign signatory list --partner haarlem
    """


@signatory.command("add", short_help="Register a signatory of a partner, or add certificates.")
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


@signatory.command("retire", short_help="Record that a signatory no longer signs from a date on.")
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


# ----------------------------------------------------------------------------- status


@cli.command(short_help="Who signed what: the partner × document matrix.")
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
    from .logsetup import configure_logging
    from .render_status import render_status

    m = do_status(_workspace(ctx), jobs=None, worker_setup=configure_logging)
    if as_json:
        click.echo(json.dumps(m.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_status(m))
    ctx.exit(EXIT_OK if m.complete else EXIT_FINDINGS)
