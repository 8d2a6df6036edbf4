"""Who signed, in what capacity, in what order: the governance use cases.

Partners and signatories live in ``partners.py``, mandates in ``mandates.py``;
this module holds the partner × document status (rendered from the verdicts of
the one verification pipeline) and the demo's partners, and offers them all
under one name for the CLI.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from ..domain.documents import DocumentKind
from ..domain.parties import BURGEMEESTER
from ..domain.status import StatusMatrix, status_matrix
from .files import write_atomic
from .mandates import (
    dutch_time,
    draft_mandate,
    mandate_binding,
    read_mandate,
    register_mandate,
    revoke_mandate,
    sign_mandate,
)
from .partners import (
    ImportResult,
    _actor,
    add_partner,
    add_signatory,
    fingerprints_of,
    import_partners,
    list_partners,
    list_signatories,
    make_partner,
    make_signatory,
    parse_import,
    remove_partner,
    rename_partner,
    retire_signatory,
    show_partner,
)
from .workspace import Workspace

from ..domain.digests import Sha256  # noqa: E402,F401 (gov.Sha256)


# -------------------------------------------------------------------------- status


def status(ws: Workspace, *, online: bool = True, progress=None, jobs: int | None = 1,  # noqa: ANN001
           worker_setup=None) -> StatusMatrix:  # noqa: ANN001
    """The partner × document matrix: every recorded copy judged now, through the one
    pipeline, against the registry as it is now (revocations, supersessions, retired
    signatories, trust settings). Copies examined again (recorded under other trust
    settings) are examined by ``jobs`` worker processes when many (None: one per core)."""
    from .pipeline import Pipeline

    with Pipeline(ws, online=online, jobs=jobs, worker_setup=worker_setup) as pipe:
        if pipe.governance is None:
            return StatusMatrix((), {d: None for d in DocumentKind}, datetime.now(UTC))

        copies = pipe.recorded_copies()

        async def run():
            if all(c.evidence is not None for c in copies):  # nothing to examine: no runtime needed
                return (await pipe.run(None, copies, progress=progress))[0]
            async with pipe.session() as rt:
                batch, _ = await pipe.run(rt, copies, progress=progress)
                return batch

        batch = asyncio.run(run())
        return status_matrix(pipe.governance, batch, datetime.now(UTC))


__all__ = [
    "BURGEMEESTER",
    "ImportResult",
    "_actor",
    "add_partner",
    "add_signatory",
    "draft_mandate",
    "dutch_time",
    "fingerprints_of",
    "import_partners",
    "list_partners",
    "list_signatories",
    "make_partner",
    "make_signatory",
    "mandate_binding",
    "parse_import",
    "read_mandate",
    "register_mandate",
    "remove_partner",
    "rename_partner",
    "retire_signatory",
    "revoke_mandate",
    "show_partner",
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
        docs = ", ".join(f"{d.value} {c.state.value}" + (f" ({c.qualification})" if c.qualification else "")
                         for d, c in r.cells.items())
        mand = f"; mandate {r.mandate.state}" if r.partner.is_municipality else ""
        lines.append(f"   {r.partner.name:<32} {docs}{mand}")
    return lines
