"""``zvhsign demo``: the whole story on the embedded defaults and the test PKI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..domain.documents import DocumentKind
from ..domain.secrets import Secret
from ..domain.verdicts import BatchVerdict
from .keys import KeySource
from .operations import approve, stamp, verify
from .signing import sign
from .setup import init_test_workspace

# (p12 label, who) -- each signs its own copy of both documents
SEPARATE_SIGNERS = [
    ("om", "Openbaar Ministerie"),
    ("politie", "Politie Eenheid Noord-Holland"),
    ("rvdk", "Raad voor de Kinderbescherming"),
    ("ggz", "GGZ"),
    ("reclassering", "Reclassering Nederland"),
]
# these sign one shared copy of the covenant in turn
SHARED_COPY_SIGNERS = [("haarlem-burgemeester", "Haarlem"), ("zandvoort-burgemeester", "Zandvoort")]

FIXTURES = {
    DocumentKind.CONVENANT: ("samenwerkingsconvenant-1.0.pdf", "1.0"),
    DocumentKind.PROTOCOL: ("privacyprotocol-1.0.pdf", "1.0"),
}


@dataclass(frozen=True)
class DemoResult:
    directory: Path
    verdict: BatchVerdict
    workspace: object = None  # services.workspace.Workspace
    signed: tuple[Path, ...] = ()
    secretariat_key: KeySource | None = None


def fixtures_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    bundled = here / "_data" / "fixtures"
    return bundled if bundled.is_dir() else here.parent / "fixtures"


def run_demo(directory: Path, say: Callable[[str], None] = print) -> DemoResult:
    from ..testpki import TEST_PASSPHRASE, certs_dir

    directory = Path(directory)
    # the official the audit report names as responsible for the validation ([report] in zvhsign.toml)
    ws = init_test_workspace(directory, responsible_name="J. de Vries",
                             responsible_function="Functionaris voor de gegevensbescherming")
    say(f"1. workspace {directory} (SQLite registry, ZVH Test PKI, local TSA/OCSP/CRL)")
    # the EU trusted lists of the test PKI (TEST ONLY): qualification of every signature
    from .trustlists import add_lists

    lists = certs_dir() / "out" / "trusted-lists"
    loaded = add_lists(ws, str(lists / "eu-lotl.xml"), {"NL": str(lists / "tsl-nl.xml")}, actor="demo")
    say("1a. loaded the test trusted lists (" + ", ".join(
        f"{i.territory} sequence {i.sequence_number}" for i in loaded.lists) + "; signatures verified)")
    p12 = certs_dir() / "out"
    secret = Secret(TEST_PASSPHRASE, source="test PKI")

    def key(label: str) -> KeySource:
        return KeySource(pkcs12=p12 / f"{label}.p12", passphrase=secret)

    for sub in ("stamped", "approved", "signed"):
        (directory / sub).mkdir(exist_ok=True)
    approved: dict[DocumentKind, Path] = {}
    for doc, (name, version) in FIXTURES.items():
        stamped = directory / "stamped" / f"{doc.value}-{version}.pdf"
        info = stamp(fixtures_dir() / name, doc, version, stamped)
        say(f"2. stamped {doc.title} {version} (source SHA-256 {info.source_sha256.short})")
        approved[doc] = directory / "approved" / f"{doc.value}-{version}.pdf"
        av = approve(ws, stamped, key("secretariaat"), approved[doc], decided_on=date.today())
        say(f"3. approved {av.label}: certified by the secretariat, SHA-256 {av.approved_sha256.short}")

    # issue 3: partners, signatories and the mayors' mandates (services/governance.py)
    from .governance import demo_governance, status_lines

    mandate_kw = demo_governance(ws, directory, key, say)

    # the partners sign on their own machines, each in a partner kit from the secretariat
    from .kit import export_kit
    from .workspace import load_workspace

    kit = export_kit(ws, directory / "kit")
    kit_ws = load_workspace(kit.directory)
    say(f"4. exported the partner kit {kit.directory} ({', '.join(f.name for f in kit.files)}, LEESMIJ.txt)")
    signed: list[Path] = []
    for label, who in SEPARATE_SIGNERS:
        for doc, path in approved.items():
            out = directory / "signed" / f"{doc.value}-1.0-{label}.pdf"
            sign(kit_ws, kit.directory / path.name, key(label), out)
            signed.append(out)
        say(f"4. {who} signed both documents in the kit (PAdES B-LTA, separate copies)")
    current = approved[DocumentKind.CONVENANT]
    names: list[str] = []
    for label, who in SHARED_COPY_SIGNERS:
        names.append(who.lower())
        out = directory / "signed" / f"convenant-1.0-{'-'.join(names)}.pdf"
        sign(ws, current, key(label), out, **mandate_kw.get(label, {}))
        signed.append(out)
        current = out
        say(f"5. the burgemeester of {who} signed the shared covenant copy under the College's mandate ({out.name})")

    verdict = verify(ws, sorted(signed), record=True)
    ok = sum(1 for f in verdict.files if f.verified)
    say(f"6. verified {ok}/{len(verdict.files)} signed copies (recorded in the registry)")
    say("6a. status (zvhsign status):")
    for line in status_lines(ws):
        say(line)
    levels = Counter(sv.evidence.qualification.level.value for f in verdict.files for sv in f.partner_signatures)
    say("6b. eIDAS qualification of the partner signatures (trusted lists): "
        + ", ".join(f"{n} {level}" for level, n in levels.most_common()))

    from .auditlog import anchor

    anchor(ws)
    say("7. anchored the audit log with an RFC 3161 timestamp (zvhsign log anchor)")
    return DemoResult(directory, verdict, ws, tuple(sorted(signed)), key("secretariaat"))
