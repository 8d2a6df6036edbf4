"""Mandates (``zvhsign mandate draft|sign|register|revoke``) and binding one into a signature.

The machtigingsbesluit is rendered from the model text (pdf/mandate.py), signed by
the gemeentesecretaris and the burgemeester, checked and registered; a revocation
records when it takes effect (Dutch local time) and why. Every change is logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from ..domain import catalogue as C
from ..domain.attribution import GovernanceContext
from ..domain.digests import Sha256
from ..domain.documents import DocumentKind, PadesLevel
from ..domain.evidence import SignatureKind
from ..domain.mandates import (
    BURGEMEESTER_FIELD,
    MANDATE_FIELDS,
    SECRETARIS_FIELD,
    Mandate,
    MandateCoverage,
    MandateSignature,
    MandateTerms,
    assess_mandate,
    capacity_text,
    mandate_signer_findings,
)
from ..errors import N_, RefusedError, UsageError
from ..i18n import local_time
from .files import check_output, read_input, write_atomic
from .keys import KeySource
from .registry_access import open_registry
from .runtime import open_runtime
from .workspace import Workspace


def _actor() -> str:
    from ..registry import current_os_user

    return current_os_user()


def draft_mandate(
    ws: Workspace,
    gemeente: str,
    burgemeester: str,
    decision_date: date,
    out: Path,
    *,
    versions: Sequence[tuple[DocumentKind, str]] = (),
) -> MandateTerms:
    """Render the machtigingsbesluit for ``gemeente``'s mayor, covering the current
    approved versions of both documents (or ``versions``)."""
    from ..pdf.mandate import render_mandate

    check_output(out, workspace=ws, replace=False)
    if decision_date > datetime.now(UTC).astimezone(_amsterdam()).date():
        raise UsageError.spoken(
            N_("the decision date {date} lies in the future; a mandate records a decision the College has taken"),
            hint=N_("draft it once the College has decided, with that date"), date=decision_date.isoformat(),
        )
    with open_registry(ws) as reg:
        p = reg.governance.find_partner(gemeente)
        if p is None:
            raise UsageError.spoken(N_("no partner {name!r}"), hint=N_("register the municipality with `zvhsign partner add`"),
                                    name=gemeente)
        if not p.is_municipality:
            raise UsageError.spoken(N_("{name} is not a municipality; only a College van B&W grants this mandate"),
                                    name=p.name)
        covers = []
        if versions:
            for doc, v in versions:
                av = reg.get_approved(doc, v)
                if av is None:
                    raise UsageError.spoken(N_("{document} {version} is not an approved version"),
                                            document=doc.value, version=v)
                covers.append(av)
        else:
            ctx = GovernanceContext((), (), (), tuple(reg.approved_versions()))
            covers = [a for a in (ctx.current_version(d) for d in DocumentKind) if a is not None]
            if not covers:
                raise UsageError.spoken(N_("no approved version to cover yet"), hint=N_("approve the documents first"))
        terms = MandateTerms(
            municipality=p.municipality_name, mayor=burgemeester.strip(), decision_date=decision_date,
            covers=tuple(MandateCoverage(a.document, a.version, a.approved_sha256) for a in covers),
        )
        write_atomic(out, render_mandate(terms))
        return terms


def sign_mandate(ws: Workspace, inp: Path, key: KeySource, out: Path, *, as_role: str) -> str:
    """Sign a mandate as "secretaris" or "burgemeester" (timestamped, with validation data)."""
    from ..pdf.certinfo import certificate_info
    from ..pdf.signing import add_signature, free_signature_fields

    field = {"secretaris": SECRETARIS_FIELD, "burgemeester": BURGEMEESTER_FIELD}.get(as_role)
    if field is None:
        raise UsageError.spoken(N_("--as must be secretaris or burgemeester"))
    check_output(out, [inp], workspace=ws, replace=False)
    data = read_input(inp)
    from ..pdf.mandate import read_mandate_terms

    terms = read_mandate_terms(data)
    if field not in free_signature_fields(data):
        raise RefusedError.spoken(N_("{path}: {who} has already signed this mandate"),
                                  path=inp, who=MANDATE_FIELDS[field][0])
    level = PadesLevel.B_LT if ws.config.tsa_url else PadesLevel.B_B

    async def run() -> bytes:
        async with open_runtime(ws) as rt:
            with key.open() as signer:
                cert = certificate_info(signer.signing_cert)
                _may_sign(ws, terms, field, cert.fingerprint_sha256, cert.common_name or cert.subject, inp)
                name = cert.common_name
                return await add_signature(
                    data, signer, rt.env, level=level, field_name=field, name=name,
                    reason=f"Machtigingsbesluit: {MANDATE_FIELDS[field][0]}",
                )

    write_atomic(out, asyncio.run(run()))
    return MANDATE_FIELDS[field][0]


def _may_sign(ws: Workspace, terms: MandateTerms, field: str, fingerprint: str, shown: str, inp: Path) -> None:
    """Refuse, before signing, a signer that registering the mandate would refuse: the same
    check (``domain.mandates.mandate_signer_findings``), on the registry as it is now."""
    with open_registry(ws) as reg:
        store = reg.governance
        partner = store.find_partner(terms.municipality)
        problems = ([C.MANDATE_PARTNER_UNKNOWN(f"no registered partner for the municipality {terms.municipality!r}")]
                    if partner is None else
                    mandate_signer_findings(terms, partner, store.signatories(partner.key), field, fingerprint, shown))
    if problems:
        from .findings_text import finding_line

        raise RefusedError.spoken(N_("{path} not signed: {problems}"), path=inp,
                                  problems="; ".join(finding_line(f, details=True) for f in problems))


async def _examine_mandate(ws: Workspace, data: bytes, path: str):
    from ..pdf.examine import examine

    async with open_runtime(ws) as rt:
        return await examine(path, data, rt.env, lambda n: [])


def read_mandate(ws: Workspace, path: Path) -> tuple[Mandate, bytes]:
    """The mandate in a signed PDF, its signatures validated (not yet judged)."""
    from ..pdf.mandate import read_mandate_terms, revision_hashes

    data = read_input(path)
    ev = asyncio.run(_examine_mandate(ws, data, str(path)))
    sigs = [s for s in ev.signatures if s.kind is not SignatureKind.DOC_TIMESTAMP]
    first_end = min((s.signed_end for s in sigs), default=None)
    terms = read_mandate_terms(data, first_end)
    with open_registry(ws) as reg:
        p = reg.governance.find_partner(terms.municipality)
        msigs = tuple(
            MandateSignature(
                field_name=s.field_name, signer=s.signer, intact=s.intact, valid=s.valid,
                trusted=s.trusted and s.indication.value == "TOTAL-PASSED",
                signature_timestamp=s.signature_timestamp, content_timestamp=s.content_timestamp,
            )
            for s in sigs
        )
        sha = Sha256.of(data)
        m = Mandate(
            sha256=sha, partner_key=p.key if p else "?", terms=terms, signatures=msigs,
            revision_sha256s=tuple(h for h in revision_hashes(data) if h != sha.hex),
        )
        return m, data


def register_mandate(ws: Workspace, path: Path) -> Mandate:
    """Verify both signatures of a signed mandate and record it (refused with reasons if not valid)."""
    m, data = read_mandate(ws, path)
    with open_registry(ws) as reg:
        store = reg.governance
        p = store.partner(m.partner_key) if m.partner_key != "?" else None
        problems = assess_mandate(m, p, store.signatories(p.key) if p else [])
        for c in m.terms.covers:
            av = reg.find_approved(c.approved_sha256)
            if av is None or av.document is not c.document or av.version != c.version:
                problems.append(C.MANDATE_COVERS_UNKNOWN_VERSION(
                    f"the mandate covers {c.document.value} {c.version} ({c.approved_sha256.short}), "
                    "which is not a registered approved version"))
        if problems:
            from ..i18n import _
            from .findings_text import finding_line

            raise RefusedError(
                _("{path} is not a validly signed mandate: ").format(path=path)
                + "; ".join(finding_line(f, details=True) for f in problems)
            )
        store.add_mandate(m, data, actor=_actor())
        return m


def _amsterdam():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Amsterdam")


def dutch_time(local: datetime) -> datetime:
    """A naive local time in the Netherlands as an aware datetime (Europe/Amsterdam)."""
    return local if local.tzinfo is not None else local.replace(tzinfo=_amsterdam())


def revoke_mandate(ws: Workspace, sha_prefix: str, effective: datetime | None, reason: str, *,
                   correct: bool = False) -> Mandate:
    """Record the College's revocation of a registered mandate, with effect from
    ``effective`` (a naive time is Dutch local time; it may lie in the future: the
    mandate is in force until then). Signatures proven to exist before then stay
    covered; later ones are not (rule MANDATE_IN_FORCE). ``correct`` changes an
    earlier record (``effective`` None: the mandate was not revoked after all); logged."""
    if not reason.strip():
        raise UsageError.spoken(N_("say why (--reason), e.g. the College's decision"))
    with open_registry(ws) as reg:
        store = reg.governance
        m = store.find_mandate(sha_prefix)
        when = None
        if effective is not None:
            local = dutch_time(effective)
            if local.date() < m.terms.decision_date:
                raise UsageError.spoken(
                    N_("the revocation ({date}) can't take effect before the mandate's own decision "
                       "date ({decided})"),
                    date=local.date(), decided=m.terms.decision_date,
                )
            when = local.astimezone(UTC)
        elif not correct:
            raise UsageError.spoken(N_("a revocation needs the date it takes effect (--date)"))
        return store.revoke_mandate(m.sha256, when, reason=reason.strip(), actor=_actor(), correct=correct)


def mandate_binding(ws: Workspace, path: Path) -> tuple[str, str]:
    """(SHA-256, capacity text) for ``sign --mandate``: the mandate must be registered."""
    data = read_input(path)
    sha = Sha256.of(data)
    with open_registry(ws) as reg:
        mandates = reg.governance.mandates()
        m = next((x for x in mandates if x.sha256 == sha), None)
        if m is None:
            raise RefusedError.spoken(
                N_("{path} is not a registered mandate (SHA-256 {sha}); a signature can only be "
                   "bound to a complete, registered machtigingsbesluit"),
                hint=N_("the secretariat registers it with `zvhsign mandate register`"), path=path, sha=sha.short,
            )
        if m.revoked_by(datetime.now(UTC)):
            raise RefusedError.spoken(
                N_("{path} is a mandate the College revoked with effect from {when}; "
                   "it no longer authorises a signature"),
                path=path, when=local_time(m.revoked_at),  # Dutch local time, the zone named
            )
        return sha.hex, capacity_text(m.terms.municipality)


