"""The partner kit (``zvhsign kit``): everything a partner signatory needs to sign.

A partner signs once or twice, on their own machine, without access to the
secretariat's registry. The kit is a small workspace folder:

* ``zvhsign.toml`` and ``trust/``: the same trust roots, secretariat certificates
  and TSA as the secretariat's workspace (so ``sign`` checks the copy exactly as
  ``verify`` will);
* ``zvhsign.db``: a registry holding the records of every approved version
  (hashes, sizes, decision dates, what supersedes what), each logged as
  ``import-approved`` with where it came from, and the partners, signatories and
  mandates (a mayor's ``sign --mandate`` needs the mandate registered);
* ``<document>-<version>.pdf``: the approved copies in force now, to sign;
* ``mandates/``: the registered machtigingsbesluiten in force (for ``--mandate``);
* ``LEESMIJ.txt``: what to do, in Dutch.

The kit is built in a temporary folder next to the target and renamed into place
at the end: an interrupted export leaves no half-made kit.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..domain.documents import ApprovedVersion
from ..errors import RegistryError, UsageError
from .registry_access import open_registry
from .setup import init_workspace
from .workspace import Workspace

__all__ = ["KitResult", "export_kit", "README_NAME"]

README_NAME = "LEESMIJ.txt"


@dataclass(frozen=True)
class KitResult:
    directory: Path
    versions: tuple[ApprovedVersion, ...]  # every approved version recorded in the kit
    files: tuple[Path, ...]  # the approved copies in force, to sign

    def to_json(self) -> dict:
        return {
            "schema": "zvhsign.kit/1",
            "directory": str(self.directory),
            "versions": [
                {"document": v.document.value, "version": v.version, "approved_sha256": v.approved_sha256.hex,
                 "superseded_by": v.superseded_by}
                for v in self.versions
            ],
            "files": [str(f) for f in self.files],
        }


def _file_name(av: ApprovedVersion) -> str:
    return f"{av.document.value}-{av.version}.pdf"


def _readme(files: list[Path], versions: list[ApprovedVersion], mandates: list[Path] = ()) -> str:
    names = "\n".join(f"  - {f.name}" for f in files)
    first = files[0].name if files else "convenant-1.0.pdf"
    signed = first.removesuffix(".pdf") + "-getekend.pdf"
    listed = "\n".join(
        f"  - {v.document.value} {v.version}: SHA-256 {v.approved_sha256.hex}"
        + (f" (vervangen door {v.superseded_by})" if v.superseded_by else "")
        for v in versions
    )
    mandate_text = (
        ", bijvoorbeeld --mandate " + str(mandates[0]) + ".\n   In de map mandates/: "
        + ", ".join(m.name for m in mandates) + "."
        if mandates else "."
    )
    return f"""Ondertekenen voor het Zorg- en Veiligheidshuis Kennemerland
==========================================================

Deze map bevat de goedgekeurde versies om te ondertekenen:
{names}

1. Installeer zvhsign (Python 3.11 of nieuwer) zoals het secretariaat u laat weten,
   bijvoorbeeld met het meegestuurde pakket:
     python3 -m pip install zvhsign-*.whl
2. Open een terminal in deze map en onderteken, bijvoorbeeld:
     zvhsign sign {first} --key mijn-certificaat.p12 -o {signed}
   Met een smartcard of token: --pkcs11-module PAD --cert-label LABEL in plaats van --key.
   zvhsign laat eerst zien wat u ondertekent (document, versie, uw naam en functie) en
   vraagt om bevestiging. Uw wachtwoord of pincode wordt gevraagd, niet op de opdrachtregel.
   Tekent u als burgemeester namens het college: voeg --mandate toe met het getekende
   machtigingsbesluit van uw gemeente{mandate_text}
3. Stuur het getekende bestand terug naar het secretariaat.

Liever in Adobe Acrobat? Dat kan ook: onderteken het bestand in uw eigen vak op de pagina
"Digitale ondertekening" en verander verder niets aan het document.

Deze map is ook een zvhsign-werkmap: `zvhsign verify {signed}` controleert uw
getekende exemplaar zoals het secretariaat dat doet.

Goedgekeurde versies (ter controle):
{listed}
"""


def _mandate_file_name(m) -> str:  # noqa: ANN001
    town = "".join(c if c.isalnum() else "-" for c in m.terms.municipality.lower()).strip("-")
    return f"machtiging-{town}-{m.terms.decision_date.isoformat()}-{m.sha256.hex[:8]}.pdf"


def _copy_governance(source, kit, work: Path) -> list[Path]:  # noqa: ANN001
    """Partners, signatories and mandates (a mayor signs with ``--mandate``, which must be
    a registered mandate; verify in the kit judges signers as the secretariat does).
    The mandates in force are also written to ``mandates/``; returns their names."""
    from .governance import _actor

    written: list[Path] = []
    src, dst = source.governance, kit.governance
    for p in src.partners():
        dst.add_partner(p, actor=_actor())
    for sig in src.signatories():
        dst.add_signatory(sig, actor=_actor())
    for m in src.mandates():
        pdf = source.get_blob(m.sha256)
        if pdf is None:
            raise RegistryError(f"the registry lacks the PDF of mandate {m.sha256.short}")
        dst.add_mandate(m, pdf, actor=_actor())
        if m.revoked_at is not None:
            dst.revoke_mandate(m.sha256, m.revoked_at, reason="revoked in the secretariat's registry",
                               actor=_actor())
        else:
            name = Path("mandates") / _mandate_file_name(m)
            (work / "mandates").mkdir(exist_ok=True)
            (work / name).write_bytes(pdf)
            written.append(name)
    return written


def export_kit(ws: Workspace, directory: Path) -> KitResult:
    """Write the partner kit into ``directory`` (which must not exist, or be empty)."""
    from .governance import _actor

    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} already exists and is not an empty folder; choose a new one")
    if not directory.parent.is_dir():
        raise UsageError(f"the folder {directory.parent} does not exist")
    source = open_registry(ws)
    versions = source.approved_versions()
    if not versions:
        raise UsageError(
            "there are no approved versions yet; nothing to sign",
            hint="approve the documents first (zvhsign approve)",
        )
    blobs = {}
    for av in versions:
        pdf = source.get_blob(av.approved_sha256)
        if pdf is None:
            raise RegistryError(f"the registry lacks the approved PDF of {av.label}")
        blobs[av.approved_sha256.hex] = pdf
    cfg = ws.config
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    try:
        kit_ws = init_workspace(
            work, trust_roots=list(cfg.trust_roots), secretariat=list(cfg.secretariat_certs),
            other_certs=list(cfg.other_certs), tsa_url=cfg.tsa_url, test_pki=cfg.test_pki,
        )
        kit = open_registry(kit_ws)
        try:
            for av in versions:
                kit.add_approved_version(
                    av, blobs[av.approved_sha256.hex], actor=_actor(), actor_certificate=None,
                    imported_from=str(ws.root),
                )
            mandate_files = _copy_governance(source, kit, work)
        finally:
            kit.close()
        current = [av for av in versions if av.superseded_by is None]
        for av in current:
            (work / _file_name(av)).write_bytes(blobs[av.approved_sha256.hex])
        names = [directory / _file_name(av) for av in current]
        (work / README_NAME).write_text(_readme(names, versions, mandate_files), encoding="utf-8")
        if directory.exists():
            directory.rmdir()  # empty, checked above
        work.rename(directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    source.append_event(
        "export-kit", f"partner kit {directory.name}", actor=_actor(),
        object_sha256s=tuple(av.approved_sha256.hex for av in current),
        details={"directory": str(directory.resolve()), "versions": [av.label for av in versions]},
    )
    return KitResult(directory, tuple(versions), tuple(names))
