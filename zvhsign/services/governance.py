"""Partners, signatories and mandates; who signed, in what capacity, in what order.

Use cases behind ``zvhsign partner|signatory|mandate|status`` and the governance
pass of ``zvhsign verify`` (:func:`apply_to_batch`, :func:`record_batch`).
"""

from __future__ import annotations

import asyncio
import csv
import io
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
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
)
from ..domain.parties import BURGEMEESTER, Partner, Signatory, normalise_name
from ..domain.status import StatusMatrix, status_matrix
from ..errors import InputError, RefusedError, UsageError
from .files import check_distinct, read_input, write_atomic
from .keys import KeySource
from .registry_access import open_registry
from .runtime import load_certs, open_runtime
from .workspace import Workspace

def _actor() -> str:
    from ..registry import current_os_user

    return current_os_user()


def _usage(exc: ValueError) -> UsageError:
    return UsageError(str(exc))


# ------------------------------------------------------------------------ partners


def add_partner(ws: Workspace, partner: Partner) -> Partner:
    open_registry(ws).governance.add_partner(partner, actor=_actor())
    return partner


def make_partner(key, name, kind, oin=None, kvk=None, signing_roles=()) -> Partner:
    try:
        return Partner(key=key, name=name, kind=kind, oin=oin or None, kvk=kvk or None,
                       signing_roles=tuple(signing_roles))
    except ValueError as exc:
        raise _usage(exc) from None


def list_partners(ws: Workspace) -> list[Partner]:
    return open_registry(ws).governance.partners()


def show_partner(ws: Workspace, key: str) -> tuple[Partner, list[Signatory], list[Mandate]]:
    store = open_registry(ws).governance
    p = store.find_partner(key)
    if p is None:
        raise UsageError(f"no partner {key!r}", hint="list them with `zvhsign partner list`")
    return p, store.signatories(p.key), store.mandates(p.key)


def fingerprints_of(cert_files: Sequence[Path]) -> tuple[str, ...]:
    """SHA-256 fingerprints of the certificates in PEM/DER files."""
    out = []
    for f in cert_files:
        if not Path(f).is_file():
            raise UsageError(f"certificate file {f} does not exist")
        certs = load_certs([f])
        if not certs:
            raise InputError(f"{f} holds no certificate")
        out.extend(c.sha256.hex() for c in certs[:1])  # the first certificate is the signer's
    return tuple(out)


def make_signatory(partner_key, name, role, fingerprints=(), cert_files=()) -> Signatory:
    try:
        return Signatory(partner_key, name, role, tuple(fingerprints) + fingerprints_of(cert_files))
    except ValueError as exc:
        raise _usage(exc) from None


def add_signatory(ws: Workspace, sig: Signatory) -> Signatory:
    store = open_registry(ws).governance
    p = store.find_partner(sig.partner_key)
    if p is None:
        raise UsageError(f"no partner {sig.partner_key!r}", hint="add it first with `zvhsign partner add`")
    sig = Signatory(p.key, sig.name, sig.role, sig.fingerprints)
    store.add_signatory(sig, actor=_actor())
    return sig


def list_signatories(ws: Workspace, partner: str | None = None) -> list[tuple[Partner, Signatory]]:
    store = open_registry(ws).governance
    partners = {p.key: p for p in store.partners()}
    key = None
    if partner:
        p = store.find_partner(partner)
        if p is None:
            raise UsageError(f"no partner {partner!r}")
        key = p.key
    return [(partners[s.partner_key], s) for s in store.signatories(key)]


@dataclass(frozen=True)
class ImportResult:
    partners: tuple[Partner, ...]
    signatories: tuple[Signatory, ...]
    skipped: tuple[str, ...]


def parse_import(path: Path) -> tuple[list[Partner], list[Signatory]]:
    """Read a partners file (TOML or CSV; see docs/partners-import.md)."""
    text = read_input(path).decode("utf-8-sig")
    base = Path(path).parent
    partners: list[Partner] = []
    sigs: list[Signatory] = []
    try:
        if Path(path).suffix.lower() == ".toml":
            doc = tomllib.loads(text)
            for i, p in enumerate(doc.get("partner", []), start=1):
                partners.append(make_partner(
                    p["key"], p["name"], p["kind"], p.get("oin"), p.get("kvk"), p.get("signing_roles", ())
                ))
                for s in p.get("signatory", []):
                    certs = [base / c for c in s.get("certificates", [])]
                    sigs.append(make_signatory(p["key"], s["name"], s["role"], s.get("fingerprints", ()), certs))
        elif Path(path).suffix.lower() == ".csv":
            seen: dict[str, Partner] = {}
            for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
                row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
                key = row["partner_key"]
                if key not in seen:
                    roles = [r.strip() for r in row.get("signing_roles", "").split(";") if r.strip()]
                    seen[key] = make_partner(key, row["partner_name"], row["kind"], row.get("oin"), row.get("kvk"), roles)
                    partners.append(seen[key])
                if row.get("signatory_name"):
                    fps = [f for f in row.get("fingerprint", "").split(";") if f.strip()]
                    certs = [base / c for c in row.get("certificate", "").split(";") if c.strip()]
                    sigs.append(make_signatory(key, row["signatory_name"], row["role"], fps, certs))
        else:
            raise UsageError(f"{path}: use a .toml or .csv file (see docs/partners-import.md)")
    except KeyError as exc:
        raise UsageError(f"{path}: missing field {exc.args[0]!r} (see docs/partners-import.md)") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    return partners, sigs


def import_partners(ws: Workspace, path: Path) -> ImportResult:
    """Add the partners and signatories of a file; those already registered are skipped."""
    partners, sigs = parse_import(path)
    store = open_registry(ws).governance
    have = {p.key for p in store.partners()}
    have_sigs = {(s.partner_key, normalise_name(s.name), s.role): s for s in store.signatories()}
    added_p, added_s, skipped = [], [], []
    for p in partners:
        if p.key in have:
            skipped.append(f"partner {p.key} (already registered)")
            continue
        store.add_partner(p, actor=_actor())
        added_p.append(p)
    for s in sigs:
        old = have_sigs.get((s.partner_key, normalise_name(s.name), s.role))
        if old is not None and set(s.fingerprints) <= set(old.fingerprints):
            skipped.append(f"signatory {s.name} (already registered)")
            continue
        store.add_signatory(s, actor=_actor())
        added_s.append(s)
    return ImportResult(tuple(added_p), tuple(added_s), tuple(skipped))


# ------------------------------------------------------------------------ mandates


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

    reg = open_registry(ws)
    p = reg.governance.find_partner(gemeente)
    if p is None:
        raise UsageError(f"no partner {gemeente!r}", hint="register the municipality with `zvhsign partner add`")
    if not p.is_municipality:
        raise UsageError(f"{p.name} is not a municipality; only a College van B&W grants this mandate")
    if decision_date > datetime.now(UTC).astimezone(_amsterdam()).date():
        raise UsageError(
            f"the decision date {decision_date.isoformat()} lies in the future; a mandate records a "
            "decision the College has taken",
            hint="draft it once the College has decided, with that date",
        )
    covers = []
    if versions:
        for doc, v in versions:
            av = reg.get_approved(doc, v)
            if av is None:
                raise UsageError(f"{doc.value} {v} is not an approved version")
            covers.append(av)
    else:
        ctx = GovernanceContext((), (), (), tuple(reg.approved_versions()))
        covers = [a for a in (ctx.current_version(d) for d in DocumentKind) if a is not None]
        if not covers:
            raise UsageError("no approved version to cover yet", hint="approve the documents first")
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
        raise UsageError("--as must be secretaris or burgemeester")
    check_distinct(inp, out)
    data = read_input(inp)
    from ..pdf.mandate import read_mandate_terms

    read_mandate_terms(data)
    if field not in free_signature_fields(data):
        raise RefusedError(f"{inp}: {MANDATE_FIELDS[field][0]} has already signed this mandate")
    level = PadesLevel.B_LT if ws.config.tsa_url else PadesLevel.B_B

    async def run() -> bytes:
        async with open_runtime(ws) as rt:
            with key.open() as signer:
                name = certificate_info(signer.signing_cert).common_name
                return await add_signature(
                    data, signer, rt.env, level=level, field_name=field, name=name,
                    reason=f"Machtigingsbesluit: {MANDATE_FIELDS[field][0]}",
                )

    write_atomic(out, asyncio.run(run()))
    return MANDATE_FIELDS[field][0]


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
    reg = open_registry(ws)
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
    reg = open_registry(ws)
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
        raise RefusedError(
            f"{path} is not a validly signed mandate: "
            + "; ".join(f"{f.code}: {f.message}" for f in problems)
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
        raise UsageError("say why (--reason), e.g. the College's decision")
    store = open_registry(ws).governance
    m = store.find_mandate(sha_prefix)
    when = None
    if effective is not None:
        local = dutch_time(effective)
        if local.date() < m.terms.decision_date:
            raise UsageError(
                f"the revocation ({local.date()}) can't take effect before the mandate's own decision "
                f"date ({m.terms.decision_date})"
            )
        when = local.astimezone(UTC)
    elif not correct:
        raise UsageError("a revocation needs the date it takes effect (--date)")
    return store.revoke_mandate(m.sha256, when, reason=reason.strip(), actor=_actor(), correct=correct)


def retire_signatory(ws: Workspace, partner: str, name: str, effective: datetime, reason: str) -> Signatory:
    """Record that ``name`` no longer signs for ``partner`` from ``effective`` (a naive
    time is Dutch local time) on: signatures proven to exist before then stay
    authorised; later ones fail (SIGNER_RETIRED)."""
    if not reason.strip():
        raise UsageError("say why (--reason), e.g. a new burgemeester took office")
    store = open_registry(ws).governance
    p = store.find_partner(partner)
    if p is None:
        raise UsageError(f"no partner {partner!r}", hint="list them with `zvhsign partner list`")
    return store.retire_signatory(p.key, name, dutch_time(effective).astimezone(UTC),
                                  reason=reason.strip(), actor=_actor())


def mandate_binding(ws: Workspace, path: Path) -> tuple[str, str]:
    """(SHA-256, capacity text) for ``sign --mandate``: the mandate must be registered."""
    data = read_input(path)
    sha = Sha256.of(data)
    mandates = open_registry(ws).governance.mandates()
    m = next((x for x in mandates if x.sha256 == sha), None)
    if m is None:
        raise RefusedError(
            f"{path} is not a registered mandate (SHA-256 {sha.short}); a signature can only be "
            "bound to a complete, registered machtigingsbesluit",
            hint="the secretariat registers it with `zvhsign mandate register`",
        )
    if m.revoked_by(datetime.now(UTC)):
        raise RefusedError(
            f"{path} is a mandate the College revoked with effect from {m.revoked_at.isoformat()}; "
            "it no longer authorises a signature",
        )
    return sha.hex, capacity_text(m.terms.municipality)


# -------------------------------------------------------------------------- status


def status(ws: Workspace, *, online: bool = True, progress=None) -> StatusMatrix:  # noqa: ANN001
    """The partner × document matrix: every recorded copy judged now, through the one
    pipeline, against the registry as it is now (revocations, supersessions, retired
    signatories, trust settings)."""
    from .pipeline import Pipeline

    pipe = Pipeline(ws, online=online)
    if pipe.governance is None:
        return StatusMatrix((), {d: None for d in DocumentKind}, datetime.now(UTC))

    async def run():
        async with pipe.session() as rt:
            batch, _ = await pipe.run(rt, pipe.recorded_copies(), progress=progress)
            return batch

    batch = asyncio.run(run())
    return status_matrix(pipe.governance, batch, datetime.now(UTC))


__all__ = [
    "BURGEMEESTER",
    "add_partner",
    "add_signatory",
    "draft_mandate",
    "import_partners",
    "mandate_binding",
    "register_mandate",
    "retire_signatory",
    "sign_mandate",
    "status",
]


# ---------------------------------------------------------------------------- demo

#: the partners of the bundled test PKI: key, name, kind, KvK, [(p12 label, name, role)]
TEST_PKI_PARTNERS = [
    ("haarlem", "Gemeente Haarlem", "gemeente", "90000022",
     [("haarlem-burgemeester", "Willemijn Bosschaart", "burgemeester"),
      ("haarlem-secretaris", "Ruud Verhoeven", "gemeentesecretaris")]),
    ("zandvoort", "Gemeente Zandvoort", "gemeente", "90000033",
     [("zandvoort-burgemeester", "Ineke Zwaanswijk", "burgemeester"),
      ("zandvoort-secretaris", "Koen van der Meulen", "gemeentesecretaris")]),
    ("om", "Openbaar Ministerie", "om", "90000044", [("om", "Saskia Terpstra", "hoofdofficier van justitie")]),
    ("politie", "Politie Eenheid Noord-Holland", "politie", "90000055", [("politie", "Erik Hoogland", "politiechef")]),
    ("rvdk", "Raad voor de Kinderbescherming", "rvdk", "90000066", [("rvdk", "Fatima El Amrani", "regiodirecteur")]),
    ("ggz", "GGZ Kennemerland", "ggz", "90000077", [("ggz", "Joris Kramer", "directeur")]),
    ("reclassering", "Reclassering Nederland", "reclassering", "90000088",
     [("reclassering", "Yvonne Bakker", "regiodirecteur")]),
]


def write_test_pki_partners(path: Path, certs: Path) -> None:
    """A partners file (TOML, docs/partners-import.md) for the bundled test PKI."""
    lines = ["# Partners of the ZVH Test PKI (TEST ONLY) -- format: docs/partners-import.md", ""]
    for key, name, kind, kvk, people in TEST_PKI_PARTNERS:
        lines += ["[[partner]]", f'key = "{key}"', f'name = "{name}"', f'kind = "{kind}"', f'kvk = "{kvk}"', ""]
        for label, person, role in people:
            lines += [
                "[[partner.signatory]]", f'name = "{person}"', f'role = "{role}"',
                f'certificates = ["{(certs / (label + ".cert.pem")).as_posix()}"]', "",
            ]
    write_atomic(path, "\n".join(lines).encode("utf-8"))


def demo_governance(ws: Workspace, directory: Path, key, say) -> dict[str, dict]:
    """The demo's partners and mandates: import the test PKI's partners, draft, sign and
    register the mandates of Haarlem and Zandvoort. Returns sign() keyword arguments
    per burgemeester p12 label (``mandate_sha256`` and ``capacity``)."""
    from ..testpki import certs_dir

    partners_file = directory / "partners.toml"
    write_test_pki_partners(partners_file, certs_dir() / "out")
    r = import_partners(ws, partners_file)
    say(f"3a. registered {len(r.partners)} partners and {len(r.signatories)} signatories ({partners_file.name})")
    (directory / "mandates").mkdir(exist_ok=True)
    out: dict[str, dict] = {}
    for gkey, mayor in (("haarlem", "Willemijn Bosschaart"), ("zandvoort", "Ineke Zwaanswijk")):
        base = directory / "mandates" / f"machtiging-{gkey}"
        draft = base.with_name(base.name + "-concept.pdf")
        half = base.with_name(base.name + "-secretaris.pdf")
        done = base.with_name(base.name + "-getekend.pdf")
        draft_mandate(ws, gkey, mayor, date.today(), draft)
        sign_mandate(ws, draft, key(f"{gkey}-secretaris"), half, as_role="secretaris")
        sign_mandate(ws, half, key(f"{gkey}-burgemeester"), done, as_role="burgemeester")
        m = register_mandate(ws, done)
        say(f"3b. the College of {m.terms.municipality} authorised burgemeester {mayor}: mandate signed by "
            f"secretaris and burgemeester, registered ({done.name}, SHA-256 {m.sha256.short})")
        sha, capacity = mandate_binding(ws, done)
        out[f"{gkey}-burgemeester"] = {"mandate_sha256": sha, "capacity": capacity}
    return out


def status_lines(ws: Workspace) -> list[str]:
    """A compact partner × document summary for the demo."""
    m = status(ws)
    lines = []
    for r in m.rows:
        docs = ", ".join(f"{d.value} {c.state}" for d, c in r.cells.items())
        mand = f"; mandate {r.mandate.state}" if r.partner.is_municipality else ""
        lines.append(f"   {r.partner.name:<32} {docs}{mand}")
    return lines
