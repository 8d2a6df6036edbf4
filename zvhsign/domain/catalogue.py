"""The finding catalogue: every code zvhsign can emit, defined once.

Each :class:`~zvhsign.domain.findings.Code` names its level, what it means and
(for codes that block) what to do. Rules make findings by calling a code with
the message about the file or signature at hand. ``docs/findings.md`` is
produced from this module (:func:`markdown`); a test keeps README and docs to
the codes that exist here.
"""

from __future__ import annotations

from .findings import Code, Level

F, W, I = Level.FAIL, Level.WARN, Level.INFO  # noqa: E741

_ASK_APPROVED = "ask the secretariat for the approved copy and sign that"
_RESIGN = "sign the approved copy again"

# ------------------------------------------------------------------ the copy as a whole
AUDIT_REPORT = Code("AUDIT_REPORT", I, "The file is an audit report signed by the secretariat.", scope="file")
REPORT_NOT_BY_SECRETARIAT = Code(
    "REPORT_NOT_BY_SECRETARIAT", F, "An audit report is signed by someone other than the secretariat.",
    "do not rely on this report; ask the secretariat for a signed one", scope="file")
REPORT_SIGNATURES_UNEXPECTED = Code(
    "REPORT_SIGNATURES_UNEXPECTED", F, "An audit report carries more than its one secretariat signature.",
    "do not rely on this report; ask the secretariat for a signed one", scope="file")
FILE_DAMAGED = Code(
    "FILE_DAMAGED", F,
    "The file is not a PDF that can be read -- not a PDF at all, cut off, damaged or encrypted: it is "
    "not the signed copy, whatever it was before.",
    "ask the sender for the copy as it was signed", scope="file")
APPROVED_VERSION = Code("APPROVED_VERSION", I, "The copy contains a registered approved version.", scope="file")
APPROVED_VERSION_NOT_FOUND = Code(
    "APPROVED_VERSION_NOT_FOUND", F,
    "No revision of the file is a registered approved version (changed, rewritten or never approved).",
    _ASK_APPROVED, scope="file")
VERSION_SUPERSEDED = Code(
    "VERSION_SUPERSEDED", W, "The copy is of an approved version that a later approval superseded.",
    "sign the current approved version (`zvhsign versions` lists it)", scope="file")
CONTENT_CHANGED_AFTER_APPROVAL = Code(
    "CONTENT_CHANGED_AFTER_APPROVAL", F, "Page content was changed after approval.", _ASK_APPROVED, scope="file")
PAGES_CHANGED_AFTER_APPROVAL = Code(
    "PAGES_CHANGED_AFTER_APPROVAL", F, "Pages were added, removed or reordered after approval.",
    _ASK_APPROVED, scope="file")
ANNOTATION_CHANGED_AFTER_APPROVAL = Code(
    "ANNOTATION_CHANGED_AFTER_APPROVAL", F, "Annotations were added or changed after approval.",
    _ASK_APPROVED, scope="file")
FORM_CHANGED_AFTER_APPROVAL = Code(
    "FORM_CHANGED_AFTER_APPROVAL", F, "Form fields or values were changed after approval.",
    _ASK_APPROVED, scope="file")
SIGNATURE_FIELD_TAMPERED = Code(
    "SIGNATURE_FIELD_TAMPERED", F, "A signature field was changed beyond being signed.", _ASK_APPROVED, scope="file")
DOCUMENT_STRUCTURE_CHANGED = Code(
    "DOCUMENT_STRUCTURE_CHANGED", F, "The document catalog was changed after approval.", _ASK_APPROVED, scope="file")
STAMP_METADATA_CHANGED = Code(
    "STAMP_METADATA_CHANGED", F, "The stamp's metadata (document, version, hash) was changed after approval.",
    _ASK_APPROVED, scope="file")
VALIDATION_DATA_REMOVED = Code(
    "VALIDATION_DATA_REMOVED", F,
    "Validation data (certificates, OCSP responses, CRLs in the DSS) was removed or replaced after signing.",
    _ASK_APPROVED, scope="file")
DOCUMENT_METADATA_CHANGED = Code(
    "DOCUMENT_METADATA_CHANGED", F,
    "The document info or XMP metadata was changed in an update that adds no signature.",
    _ASK_APPROVED, scope="file")
MALFORMED_REVISION = Code(
    "MALFORMED_REVISION", F, "A revision of the file is malformed; readers may disagree about its content.",
    _ASK_APPROVED, scope="file")
TRAILING_DATA = Code(
    "TRAILING_DATA", F, "Bytes follow the last revision; other readers may show content no signature covers.",
    _ASK_APPROVED, scope="file")
STRUCTURE_BOUND_EXCEEDED = Code(
    "STRUCTURE_BOUND_EXCEEDED", F,
    "Part of the file exceeds one of zvhsign's bounds on hostile structure (arrays or dictionaries "
    "nested more than 100 levels deep): it was not examined, and readers may fail on it or show "
    "content no one checked.",
    _ASK_APPROVED, scope="file")
APPROVAL_SIGNATURE_MISSING = Code(
    "APPROVAL_SIGNATURE_MISSING", F, "The copy has no certification (approval) signature.", _ASK_APPROVED, scope="file")
APPROVAL_SIGNATURE_DUPLICATED = Code(
    "APPROVAL_SIGNATURE_DUPLICATED", F, "The copy has more than one certification signature.",
    _ASK_APPROVED, scope="file")
APPROVAL_NOT_BY_SECRETARIAT = Code(
    "APPROVAL_NOT_BY_SECRETARIAT", F, "The certification signature is not by a configured secretariat certificate.",
    "check [trust] secretariat in zvhsign.toml, or ask the secretariat for the approved copy", scope="file")
APPROVAL_PERMITS_CHANGES = Code(
    "APPROVAL_PERMITS_CHANGES", F, "The certification allows changes beyond signing (DocMDP).",
    _ASK_APPROVED, scope="file")
APPROVAL_SIGNATURE_MISPLACED = Code(
    "APPROVAL_SIGNATURE_MISPLACED", F, "The certification signature was added after the approved version.",
    _ASK_APPROVED, scope="file")
NO_PARTNER_SIGNATURE = Code(
    "NO_PARTNER_SIGNATURE", W, "An approved copy without any partner signature.",
    "a partner signs it with `zvhsign sign`", scope="file")
ARCHIVE_TIMESTAMP_EXPIRING = Code(
    "ARCHIVE_TIMESTAMP_EXPIRING", W,
    "The copy's last timestamp rests on a TSA certificate that expires soon.",
    "run `zvhsign extend` on the copy before then", scope="file")
ARCHIVE_TIMESTAMP_EXPIRED = Code(
    "ARCHIVE_TIMESTAMP_EXPIRED", W,
    "The copy's last timestamp rests on a TSA certificate that has already expired: a new archive "
    "timestamp can no longer renew the copy's evidence, which rests on what the copy already holds.",
    "too late for `zvhsign extend`; keep the copy unchanged, and where its signatures must stay "
    "provable, have them made again on the current approved copy", scope="file")

# ------------------------------------------------------------ each signature: integrity
SIGNATURE_MALFORMED = Code(
    "SIGNATURE_MALFORMED", F, "The signature can't be processed (damaged or forged structure).", _RESIGN)
SIGNATURE_NOT_INTACT = Code(
    "SIGNATURE_NOT_INTACT", F, "The signed bytes do not match the signature: changed after signing.", _RESIGN)
SIGNATURE_INVALID = Code("SIGNATURE_INVALID", F, "The signature value does not verify.", _RESIGN)
SIGNATURE_BYTE_RANGE_INVALID = Code(
    "SIGNATURE_BYTE_RANGE_INVALID", F,
    "The signature's /ByteRange does not cover its whole revision except its own /Contents "
    "(gaps, overlaps, ranges past the end or not four numbers).", _RESIGN)
SIGNATURE_COVERAGE_INCOMPLETE = Code(
    "SIGNATURE_COVERAGE_INCOMPLETE", F, "The signature does not cover its whole revision.", _RESIGN)
SIGNATURE_INSIDE_APPROVED_VERSION = Code(
    "SIGNATURE_INSIDE_APPROVED_VERSION", F, "A signature other than the approval is part of the approved version.",
    _ASK_APPROVED)
CHANGED_AFTER_SIGNING = Code(
    "CHANGED_AFTER_SIGNING", F,
    "A later revision changed the document beyond adding signatures, timestamps and validation data.",
    _ASK_APPROVED)

# ----------------------------------------------------------------- each signature: trust
SIGNER_REVOKED = Code(
    "SIGNER_REVOKED", F, "The signer's certificate is revoked.", "sign again with a valid certificate")
SIGNER_CERT_EXPIRED = Code(
    "SIGNER_CERT_EXPIRED", F,
    "The signer's certificate expired before the signature was proven to exist.",
    "sign again with a valid certificate; timestamp signatures (B-T or higher)")
SIGNER_CERT_NOT_YET_VALID = Code(
    "SIGNER_CERT_NOT_YET_VALID", F, "The signature existed before the signer's certificate became valid.",
    "sign again with a valid certificate")
SIGNER_NOT_TRUSTED = Code(
    "SIGNER_NOT_TRUSTED", F, "The signer's certificate does not chain to a configured trust root.",
    "sign with a certificate from a trusted CA, or add its root under [trust] roots")
REVOCATION_UNKNOWN = Code(
    "REVOCATION_UNKNOWN", F, "Whether the signer's certificate is revoked could not be established.",
    "verify again online (without --offline), or extend the copy with validation data")
# WARN (was FAIL): a signature that could not be validated -- an error or time-out while
# validating, a format not supported -- is INDETERMINATE (EN 319 102-1), not evidence of
# tampering; where validation itself failed, the evidence's TOTAL-FAILED still decides
SIGNATURE_NOT_VALIDATED = Code(
    "SIGNATURE_NOT_VALIDATED", W,
    "The signature could not be validated (an error or time-out while validating, or a format "
    "zvhsign does not support): nothing is known about it yet.",
    "verify again (online, later); if it persists, ask the signer to sign again")
SIGNATURE_UNREADABLE = Code(
    "SIGNATURE_UNREADABLE", W,
    "The file could not be read where the signature's validation needed it (a damaged object, "
    "stream or signature structure): nothing is known about the signature, and verifying again "
    "gives the same answer.",
    "ask the sender for the copy as it was signed")
TIMESTAMP_INVALID = Code(
    "TIMESTAMP_INVALID", F, "The signature timestamp does not match, is invalid, or its TSA is not trusted.",
    "sign again with the workspace's TSA")
NO_SIGNATURE_TIMESTAMP = Code(
    "NO_SIGNATURE_TIMESTAMP", W, "No signature timestamp: when it was signed can't be proven.",
    "sign at level B-T or higher (a TSA under [tsa] in zvhsign.toml)")

# --------------------------------------------------------------- who signed, in what capacity
GOVERNANCE_NOT_CONFIGURED = Code(
    "GOVERNANCE_NOT_CONFIGURED", I, "No partners are registered: who signed and in what capacity was not checked.", scope="partner")
SIGNER_AUTHORISED = Code("SIGNER_AUTHORISED", I, "The signer is a registered signatory in a role that signs.", scope="partner")
SIGNER_UNKNOWN = Code(
    "SIGNER_UNKNOWN", F, "The signer is not a registered signatory of any partner.",
    "register them with `zvhsign signatory add` (certificate fingerprint) if they sign for a partner", scope="partner")
SIGNER_NOT_AUTHORISED = Code(
    "SIGNER_NOT_AUTHORISED", F, "The signatory's role does not sign for the partner.",
    "the partner's burgemeester, director or registered signing role signs", scope="partner")
SIGNER_RETIRED = Code(
    "SIGNER_RETIRED", F, "The signature was made after the signatory was retired.",
    "the partner's current signatory signs again", scope="partner")
SIGNER_RETIREMENT_ORDER_UNPROVEN = Code(
    "SIGNER_RETIREMENT_ORDER_UNPROVEN", W,
    "The signatory is retired, and it can't be proven the signature was made before then.",
    "a timestamped signature (B-T or higher) proves when it was made", scope="partner")
MANDATE_PRESENT = Code("MANDATE_PRESENT", I, "A registered, validly signed mandate authorises this mayor.", scope="partner")
MANDATE_MISSING = Code(
    "MANDATE_MISSING", F, "A municipality signs through its burgemeester only with a registered mandate of the College.",
    "draft, sign and register the machtigingsbesluit (`zvhsign mandate draft|sign|register`), then sign with --mandate", scope="partner")
MANDATE_NOT_REGISTERED = Code(
    "MANDATE_NOT_REGISTERED", F, "The signature is bound to a mandate that is not registered.",
    "register the signed machtigingsbesluit with `zvhsign mandate register`", scope="partner")
MANDATE_OTHER_MUNICIPALITY = Code(
    "MANDATE_OTHER_MUNICIPALITY", F, "The mandate is a decision of another municipality.",
    "sign under your own municipality's mandate", scope="partner")
MANDATE_OTHER_PERSON = Code(
    "MANDATE_OTHER_PERSON", F, "The mandate authorises another person.",
    "the burgemeester named in the mandate signs, or the College grants a new mandate", scope="partner")
MANDATE_OTHER_VERSION = Code(
    "MANDATE_OTHER_VERSION", F, "The mandate does not cover this document version.",
    "the College grants a mandate that covers this version", scope="partner")
MANDATE_NOT_VALIDLY_SIGNED = Code(
    "MANDATE_NOT_VALIDLY_SIGNED", F, "The mandate is not validly signed by the secretaris and the burgemeester.",
    "sign the mandate again as secretaris and burgemeester and register it", scope="partner")
MANDATE_INCOMPLETE_WHEN_SIGNED = Code(
    "MANDATE_INCOMPLETE_WHEN_SIGNED", F, "The signature is bound to the mandate before all its signatures.",
    "sign again with --mandate naming the complete signed mandate", scope="partner")
MANDATE_PRECEDES_SIGNATURE = Code(
    "MANDATE_PRECEDES_SIGNATURE", I, "The mandate is proven to have existed before the signature.", scope="partner")
MANDATE_AFTER_SIGNATURE = Code(
    "MANDATE_AFTER_SIGNATURE", F, "The signature is proven to exist before the mandate was complete.",
    "sign again now that the mandate is complete, with --mandate", scope="partner")
SIGNED_BEFORE_MANDATE_DECISION = Code(
    "SIGNED_BEFORE_MANDATE_DECISION", F, "The signature is proven to exist before the mandate's decision date.",
    "sign again under the mandate, with --mandate", scope="partner")
MANDATE_ORDER_UNPROVEN = Code(
    "MANDATE_ORDER_UNPROVEN", W, "It can't be proven that the mandate was complete before the signature.",
    "sign with `--mandate SIGNED_MANDATE.pdf` to bind the mandate", scope="partner")
MANDATE_IN_FORCE = Code("MANDATE_IN_FORCE", I, "The mandate was in force when the signature was made.", scope="partner")
MANDATE_REVOKED = Code(
    "MANDATE_REVOKED", F, "The signature was made after the College revoked the mandate.",
    "sign again under a mandate in force", scope="partner")
MANDATE_REVOCATION_ORDER_UNPROVEN = Code(
    "MANDATE_REVOCATION_ORDER_UNPROVEN", W,
    "The mandate was revoked, and it can't be proven that the signature was made before then.",
    "a timestamped signature proves when it was made; sign again under a mandate in force", scope="partner")
CAPACITY_MISMATCH = Code(
    "CAPACITY_MISMATCH", F, "The capacity stated in the signature does not match its partner or mandate.",
    "sign again with --mandate; zvhsign writes the capacity from the mandate", scope="partner")

# ------------------------------------------------- eIDAS qualification (from the EU trusted lists)
_QES_HINT = ("sign with a qualified certificate whose key is in a QSCD (e.g. a PKIoverheid smartcard or a "
             "qualified remote signing service)")
QUALIFIED_SIGNATURE = Code(
    "QUALIFIED_SIGNATURE", I,
    "The signature is a qualified electronic signature (QES): qualified certificate from a service on the "
    "EU trusted lists, key in a QSCD.", scope="partner")
NOT_QUALIFIED = Code(
    "NOT_QUALIFIED", F,
    "The workspace requires qualified electronic signatures ([policy] require_qualified) and this one is "
    "not QES (AdES-QC or AdES). WARN instead of FAIL when [policy] not_qualified = \"warn\".",
    _QES_HINT, scope="partner")
QUALIFICATION_UNKNOWN = Code(
    "QUALIFICATION_UNKNOWN", W,
    "The workspace requires qualified electronic signatures, but whether this one is QES could not be "
    "determined (no trusted lists loaded, no proven signing time, or the chain did not validate).",
    "load the EU trusted lists (`zvhsign trust tl add`); sign at PAdES B-T or higher", scope="partner")
TRUSTED_LIST_STALE = Code(
    "TRUSTED_LIST_STALE", W,
    "A trusted list used for the qualification was past its next update at the validation time.",
    "load the current lists (`zvhsign trust tl add`)", scope="partner")

# ------------------------------------------------------------------------------- order
PROTOCOL_AFTER_COVENANT = Code(
    "PROTOCOL_AFTER_COVENANT", I,
    "The partner's covenant signature is proven to exist before this Privacy Protocol signature.", scope="partner")
COVENANT_SIGNATURE_MISSING = Code(
    "COVENANT_SIGNATURE_MISSING", F,
    "Only covenant participants sign the Privacy Protocol; no valid covenant signature of the partner is known.",
    "sign the Samenwerkingsconvenant first and record it (`zvhsign verify --record`), then the protocol", scope="partner")
PROTOCOL_BEFORE_COVENANT = Code(
    "PROTOCOL_BEFORE_COVENANT", F, "The Privacy Protocol was signed before the partner signed the covenant.",
    "sign the Privacy Protocol again, now that the covenant is signed", scope="partner")
PROTOCOL_ORDER_UNPROVEN = Code(
    "PROTOCOL_ORDER_UNPROVEN", W,
    "It can't be proven that the partner's covenant signature existed before this protocol signature.",
    "timestamped signatures (B-T or higher) on both documents prove the order", scope="partner")
# ------------------------------------------------------- a mandate itself (at registration)
MANDATE_PARTNER_UNKNOWN = Code(
    "MANDATE_PARTNER_UNKNOWN", F, "No registered partner for the mandate's municipality.",
    "register the municipality with `zvhsign partner add`", scope="mandate")
MANDATE_NOT_MUNICIPALITY = Code(
    "MANDATE_NOT_MUNICIPALITY", F, "The mandate's partner is not a municipality.", scope="mandate")
MANDATE_COVERS_NOTHING = Code(
    "MANDATE_COVERS_NOTHING", F, "The mandate names no approved document version.",
    "draft it again with `zvhsign mandate draft` after approval", scope="mandate")
MANDATE_COVERS_UNKNOWN_VERSION = Code(
    "MANDATE_COVERS_UNKNOWN_VERSION", F, "The mandate covers a version that is not registered as approved.",
    "draft it again with `zvhsign mandate draft`", scope="mandate")
MANDATE_SIGNATURE_MISSING = Code(
    "MANDATE_SIGNATURE_MISSING", F, "The mandate lacks the secretaris' or the burgemeester's signature.",
    "sign it with `zvhsign mandate sign --as secretaris|burgemeester`", scope="mandate")
MANDATE_SIGNATURE_INVALID = Code(
    "MANDATE_SIGNATURE_INVALID", F, "A signature on the mandate is not valid or not trusted.", scope="mandate")
MANDATE_SIGNATURE_NOT_TIMESTAMPED = Code(
    "MANDATE_SIGNATURE_NOT_TIMESTAMPED", F, "A signature on the mandate has no valid timestamp.",
    "sign the mandate in a workspace with a TSA", scope="mandate")
MANDATE_SIGNER_UNKNOWN = Code(
    "MANDATE_SIGNER_UNKNOWN", F, "The mandate is signed by someone who is not a registered signatory.",
    "register them with `zvhsign signatory add`", scope="mandate")
MANDATE_SIGNER_WRONG_ROLE = Code(
    "MANDATE_SIGNER_WRONG_ROLE", F, "The mandate is signed by a signatory in the wrong role.", scope="mandate")
MANDATE_UNEXPECTED_SIGNATURE = Code(
    "MANDATE_UNEXPECTED_SIGNATURE", F, "The mandate carries a signature in an unexpected field.", scope="mandate")

CATALOGUE: dict[str, Code] = {c.name: c for c in list(globals().values()) if isinstance(c, Code)}


def code(name: str) -> Code:
    """The catalogue entry of ``name`` (KeyError for a code that does not exist)."""
    return CATALOGUE[name]


def markdown() -> str:
    """docs/findings.md: every code, grouped by what it is said about."""
    scopes = (("file", "The copy as a whole"), ("signature", "Each signature: integrity and trust"),
              ("partner", "Each partner signature: who signed, capacity, mandate, order"),
              ("mandate", "A mandate (at registration, and inside MANDATE_NOT_VALIDLY_SIGNED)"))
    lines = [
        "# Finding codes",
        "",
        "Generated from `zvhsign/domain/catalogue.py` (do not edit by hand: "
        "`python -m zvhsign.domain.catalogue > docs/findings.md`).",
        "",
        "FAIL and WARN make verification fail (exit 1): a FAIL makes the signature TOTAL-FAILED, a WARN",
        "INDETERMINATE. INFO says what was checked and passed.",
    ]
    for scope, title in scopes:
        lines += ["", f"## {title}", "", "| code | level | meaning | what to do |", "|---|---|---|---|"]
        for c in CATALOGUE.values():
            if c.scope == scope:
                cells = (f"`{c.name}`", c.level.value, c.meaning, c.hint or "")
                lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
