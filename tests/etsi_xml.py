"""Reading an ETSI TS 119 102-2 report back (``verify --etsi-report``), for the tests that
compare it with the verdicts: each signature's part and each document timestamp's object."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from zvhsign.domain.evidence import SignatureKind

NS = {"vr": "http://uri.etsi.org/19102/v1.2.1#"}


def reported(xml: str) -> list[tuple[str, str, str | None]]:
    """(field, main indication, subindication) of each SignatureValidationReport, in order."""
    out = []
    for part in ET.fromstring(xml.encode("utf-8")).findall("vr:SignatureValidationReport", NS):
        field = part.findtext("vr:SignatureIdentifier/vr:DAIdentifier", namespaces=NS)
        main = part.findtext("vr:SignatureValidationStatus/vr:MainIndication", namespaces=NS)
        sub = part.findtext("vr:SignatureValidationStatus/vr:SubIndication", namespaces=NS)
        out.append((field, main.rsplit(":", 1)[-1], sub.rsplit(":", 1)[-1] if sub else None))
    return out


def reported_timestamps(xml: str) -> list[tuple[str, str, str | None]]:
    """(field, main indication, subindication) of each timestamp validation object's report."""
    out = []
    for vo in ET.fromstring(xml.encode("utf-8")).iterfind(".//vr:ValidationObject", NS):
        if vo.findtext("vr:ObjectType", namespaces=NS) != "urn:etsi:019102:validationObject:timestamp":
            continue
        report = vo.find("vr:ValidationReport", NS)
        assert report is not None, "a document timestamp without its validation report"
        main = report.findtext("vr:SignatureValidationStatus/vr:MainIndication", namespaces=NS)
        sub = report.findtext("vr:SignatureValidationStatus/vr:SubIndication", namespaces=NS)
        out.append((report.findtext("vr:SignatureIdentifier/vr:DAIdentifier", namespaces=NS),
                    main.rsplit(":", 1)[-1], sub.rsplit(":", 1)[-1] if sub else None))
    return sorted(out)


def expected(batch) -> list[tuple[str, str, str | None]]:
    """What the verdicts rest on: each non-timestamp signature's indication, in file order."""
    return [(s.evidence.field_name, s.evidence.indication.value.lower(), s.evidence.subindication)
            for f in batch.files for s in f.signatures if s.evidence.kind is not SignatureKind.DOC_TIMESTAMP]


def expected_timestamps(batch) -> list[tuple[str, str, str | None]]:
    """Each document timestamp's indication, sorted (what :func:`reported_timestamps` reads)."""
    return sorted((s.evidence.field_name, s.evidence.indication.value.lower(), s.evidence.subindication)
                  for f in batch.files for s in f.signatures if s.evidence.kind is SignatureKind.DOC_TIMESTAMP)
