"""A report world: an approved workspace that names its responsible official in
``[report]``, the test PKI's partners registered, real signatures by several partners
(one mayor without a registered mandate, so not every cell is green), and the audit
report gathered from it as JSON and as the PDF signed by the secretariat."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from zvhsign.testpki import certs_dir

CERTS = certs_dir() / "out"
OFFICIAL = "J. de Vries (Functionaris voor de gegevensbescherming)"


@dataclass(frozen=True)
class ReportWorld:
    ws: object
    files: tuple[Path, ...]
    facts: object  # services.reporting.ReportFacts
    report: object  # reports.model.Report
    pdf: Path  # the signed PDF report

    def page_count(self) -> int:
        info = subprocess.run(["pdfinfo", str(self.pdf)], capture_output=True, text=True, check=True).stdout
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))

    def page_text(self, n: int, *, layout: bool = False) -> str:
        args = ["pdftotext", "-f", str(n), "-l", str(n), *(["-layout"] if layout else []), str(self.pdf), "-"]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def report_world(tmp_path_factory, passphrase, approved_workspace_factory, unchecked_signer) -> ReportWorld:
    from zvhsign.reports import write_report
    from zvhsign.reports.model import build_report
    from zvhsign.services import governance as gov
    from zvhsign.services.reporting import gather
    from zvhsign.services.signing import sign

    root = tmp_path_factory.mktemp("report-world")
    a = approved_workspace_factory(root, passphrase)
    gov.write_test_pki_partners(root / "partners.toml", CERTS)
    gov.import_partners(a.ws, root / "partners.toml")
    files = []
    for label, src in (("om", a.convenant), ("om", a.protocol), ("politie", a.convenant), ("rvdk", a.protocol)):
        out = root / f"{src.stem}-{label}.pdf"
        sign(a.ws, src, a.key(label, passphrase), out)
        files.append(out)
    # Haarlem's mayor signs without a registered mandate: a cell that is not green
    files.append(unchecked_signer(a.ws, a.convenant, a.key("haarlem-burgemeester", passphrase),
                                  root / "convenant-haarlem.pdf"))
    facts = gather(a.ws, files)  # the official named in [report]
    pdf = root / "report.pdf"
    write_report(a.ws, facts, "pdf", pdf, key=a.key("secretariaat", passphrase))
    return ReportWorld(a.ws, tuple(files), facts, build_report(facts), pdf)
