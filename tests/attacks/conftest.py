"""Attacked copies, made once per session from real signed copies (see make.py).

Every fixture is named after the failure it carries and is a file on disk, so
tests can hand it to ``zvhsign verify`` like a user would.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

def _load(name: str):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location(f"zvh_attacks_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _load("make")
foreign = _load("make_foreign")  # signatures with other algorithms, re-encoded CMS


@pytest.fixture(scope="session")
def forger(approved, passphrase):
    from zvhsign.testpki import certs_dir

    return make.Forger(approved.ws, passphrase, lambda label: certs_dir() / "out" / f"{label}.p12")


@pytest.fixture(scope="session")
def attack_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("attacked")


def _fixture(name: str, build):
    @pytest.fixture(scope="session", name=name)
    def _made(request, attack_dir):
        path = attack_dir / f"{name}.pdf"
        path.write_bytes(build(request))
        return path

    return _made


def _approved(request) -> bytes:
    return request.getfixturevalue("approved").convenant.read_bytes()


def _signed(request) -> bytes:
    return request.getfixturevalue("signed_convenant").read_bytes()


def _forger(request):
    return request.getfixturevalue("forger")


edited_after_approval_then_signed = _fixture(
    "edited_after_approval_then_signed",
    lambda r: make.edited_after_approval_then_signed(_approved(r), _forger(r)),
)
rewritten_by_qpdf_then_signed = _fixture(
    "rewritten_by_qpdf_then_signed",
    lambda r: make.rewritten_by_qpdf_then_signed(_approved(r), _forger(r)),
)
rewritten_by_pikepdf_then_signed = _fixture(
    "rewritten_by_pikepdf_then_signed",
    lambda r: make.rewritten_by_pikepdf_then_signed(_approved(r), _forger(r)),
)
content_changed_in_signing_update = _fixture(
    "content_changed_in_signing_update",
    lambda r: make.content_changed_in_signing_update(_approved(r), _forger(r)),
)
annotation_added_in_signing_update = _fixture(
    "annotation_added_in_signing_update",
    lambda r: make.annotation_added_in_signing_update(_approved(r), _forger(r)),
)
byte_flipped_in_signed_range = _fixture(
    "byte_flipped_in_signed_range", lambda r: make.byte_flipped_in_signed_range(_signed(r))
)
byte_flipped_in_page_content = _fixture(
    "byte_flipped_in_page_content", lambda r: make.byte_flipped_in_page_content(_signed(r))
)
text_appended_after_last_revision = _fixture(
    "text_appended_after_last_revision",
    lambda r: make.text_appended_after_last_revision(_signed(r)),
)
objects_appended_without_xref = _fixture(
    "objects_appended_without_xref", lambda r: make.objects_appended_without_xref(_signed(r))
)
annotation_added_after_signing = _fixture(
    "annotation_added_after_signing", lambda r: make.annotation_added_after_signing(_signed(r))
)
content_changed_after_signing = _fixture(
    "content_changed_after_signing", lambda r: make.content_changed_after_signing(_signed(r))
)
signed_by_untrusted_signer = _fixture(
    "signed_by_untrusted_signer",
    lambda r: _forger(r).sign(_approved(r), "untrusted-signer", level="B-T"),
)
truncated_copy = _fixture("truncated_copy", lambda r: make.truncated(_signed(r)))
truncated_inside_last_revision = _fixture(
    "truncated_inside_last_revision", lambda r: make.truncated_inside_last_revision(_signed(r))
)
not_a_pdf = _fixture("not_a_pdf", lambda r: make.not_a_pdf())
# benign: a second partner signs a signed copy (B-LTA, with DSS and document timestamp)
countersigned_by_second_partner = _fixture(
    "countersigned_by_second_partner",
    lambda r: _forger(r).sign(_signed(r), "politie", level="B-LTA"),
)

# issue 4: more attack classes
page_added_after_signing = _fixture(
    "page_added_after_signing", lambda r: make.page_added_after_signing(_signed(r))
)
open_action_added_after_signing = _fixture(
    "open_action_added_after_signing", lambda r: make.open_action_added_after_signing(_signed(r))
)
page_content_replaced_via_xref = _fixture(
    "page_content_replaced_via_xref", lambda r: make.page_content_replaced_via_xref(_signed(r))
)
font_replaced_after_signing = _fixture(
    "font_replaced_after_signing", lambda r: make.font_replaced_after_signing(_signed(r))
)
empty_visible_signature_field_added = _fixture(
    "empty_visible_signature_field_added",
    lambda r: make.empty_visible_signature_field_added(_signed(r)),
)
signature_field_enlarged_in_signing_update = _fixture(
    "signature_field_enlarged_in_signing_update",
    lambda r: make.signature_field_enlarged_in_signing_update(_approved(r), _forger(r)),
)
signature_contents_zeroed = _fixture(
    "signature_contents_zeroed", lambda r: make.signature_contents_zeroed(_signed(r))
)
signature_contents_emptied = _fixture(
    "signature_contents_emptied", lambda r: make.signature_contents_emptied(_signed(r))
)
signature_byterange_changed = _fixture(
    "signature_byterange_changed", lambda r: make.signature_byterange_changed(_signed(r))
)
signature_removed_from_field = _fixture(
    "signature_removed_from_field", lambda r: make.signature_removed_from_field(_signed(r))
)
approval_reference_damaged = _fixture(
    "approval_reference_damaged", lambda r: make.approval_reference_damaged(_signed(r))
)
signed_attributes_damaged = _fixture(
    "signed_attributes_damaged", lambda r: make.signed_attributes_damaged(_signed(r))
)
content_timestamp_damaged = _fixture(
    "content_timestamp_damaged", lambda r: make.content_timestamp_damaged(_signed(r))
)
validation_data_misplaced = _fixture(
    "validation_data_misplaced", lambda r: make.validation_data_misplaced(_signed(r))
)

# benign: what may follow a signature
document_timestamp_added_later = _fixture(
    "document_timestamp_added_later", lambda r: _forger(r).timestamp(_signed(r))
)
validation_data_added_later = _fixture(
    "validation_data_added_later", lambda r: _forger(r).add_validation_data(_signed(r))
)

# issue 11: zvhsign's own analysis names every class (also without an approved version)
form_field_added_after_signing = _fixture(
    "form_field_added_after_signing", lambda r: make.form_field_added_after_signing(_signed(r))
)
widget_added_to_signed_field = _fixture(
    "widget_added_to_signed_field", lambda r: make.widget_added_to_signed_field(_signed(r))
)
empty_invisible_signature_field_added = _fixture(
    "empty_invisible_signature_field_added",
    lambda r: make.empty_invisible_signature_field_added(_signed(r)),
)
new_visible_signature_field_signed = _fixture(
    "new_visible_signature_field_signed",
    lambda r: make.new_visible_signature_field_signed(_approved(r), _forger(r)),
)
dss_removed_after_signing = _fixture(
    "dss_removed_after_signing", lambda r: make.dss_removed_after_signing(_signed(r))
)
dss_emptied_after_signing = _fixture(
    "dss_emptied_after_signing", lambda r: make.dss_emptied_after_signing(_signed(r))
)
document_info_changed_after_signing = _fixture(
    "document_info_changed_after_signing",
    lambda r: make.document_info_changed_after_signing(_signed(r)),
)
xmp_title_changed_after_signing = _fixture(
    "xmp_title_changed_after_signing", lambda r: make.xmp_title_changed_after_signing(_signed(r))
)
byte_range_null = _fixture("byte_range_null", lambda r: make.byte_range_null(_signed(r)))
byte_range_three_numbers = _fixture(
    "byte_range_three_numbers", lambda r: make.byte_range_three_numbers(_signed(r))
)
byte_range_overlapping = _fixture(
    "byte_range_overlapping", lambda r: make.byte_range_overlapping(_signed(r))
)
byte_range_with_gap = _fixture("byte_range_with_gap", lambda r: make.byte_range_with_gap(_signed(r)))
contents_not_a_string = _fixture(
    "contents_not_a_string", lambda r: make.contents_not_a_string(_signed(r))
)
objects_appended_without_eof = _fixture(
    "objects_appended_without_eof", lambda r: make.objects_appended_without_eof(_signed(r))
)

# issue 11: the re-certified copy (a second certification after the approved version)
recertified_after_signing = _fixture(
    "recertified_after_signing", lambda r: make.recertified_after_signing(_signed(r), _forger(r))
)
recertified_with_content_change = _fixture(
    "recertified_with_content_change", lambda r: make.recertified_with_content_change(_signed(r), _forger(r))
)


@pytest.fixture(scope="session")
def certified_form(forger, tmp_path_factory) -> bytes:
    """A stamped document with an empty text field, certified by the secretariat's key
    (no approval registered for it)."""
    from zvhsign.domain.documents import DocumentKind
    from zvhsign.services.operations import stamp

    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    stamped = tmp_path_factory.mktemp("form") / "stamped.pdf"
    stamp(fixtures / "samenwerkingsconvenant-1.0.pdf", DocumentKind.CONVENANT, "9.9", stamped)
    base = make.with_empty_text_field(stamped.read_bytes())
    return forger.sign(base, "secretariaat", field_name="ZVH_Goedkeuring", certify=True)


@pytest.fixture(scope="session")
def form_field_filled_after_signing(certified_form, attack_dir):
    """The certified form's field filled with a value over page 1 in an unsigned update."""
    path = attack_dir / "form_field_filled_after_signing.pdf"
    path.write_bytes(make.form_field_filled_after_signing(certified_form))
    return path


@pytest.fixture(scope="session")
def unregistered_ws(tmp_path_factory):
    """A workspace on the same test PKI in which no version is approved: every copy fails
    the approval check, so what remains are zvhsign's own integrity findings."""
    from zvhsign.services.setup import init_test_workspace

    return init_test_workspace(tmp_path_factory.mktemp("unregistered") / "ws")


# ----------------------- issue 11, Done-when: every attack again on a re-certified copy
#
# The secretariat's key adds a second certification (make.recertify) and that copy is
# registered as an approved version in ``recertified_ws``: the approval check passes there,
# so each attack has to be caught by an integrity finding. A recipe is the base copy and the
# steps made from it; RECERTIFY marks where the re-certification (and registration) comes:
# before the attack as a rule, after a step that changes the approved bytes (a rewrite, a
# flipped byte), and before the partner's signature for attacks that patch that signature in
# place (patched after re-certification, they would change the registered bytes).

RECERTIFY = "re-certify"


def _plain(fn):
    """A step that needs no key."""
    return lambda data, forger: fn(data)


def _partner_signs(data, forger):  # as signed_convenant: the OM, B-LTA
    return forger.sign(data, "om", level="B-LTA")


def _untrusted_signs(data, forger):
    return forger.sign(data, "untrusted-signer", level="B-T")


def _signs(data, forger):
    return forger.sign(data, "om")


_AFTER_SIGNING = [  # made from the signed copy by an update (or bytes) after the last revision
    "text_appended_after_last_revision", "objects_appended_without_xref", "objects_appended_without_eof",
    "annotation_added_after_signing", "content_changed_after_signing", "page_added_after_signing",
    "open_action_added_after_signing", "page_content_replaced_via_xref", "font_replaced_after_signing",
    "empty_visible_signature_field_added", "signature_removed_from_field", "form_field_added_after_signing",
    "widget_added_to_signed_field", "empty_invisible_signature_field_added", "dss_removed_after_signing",
    "dss_emptied_after_signing", "document_info_changed_after_signing", "xmp_title_changed_after_signing",
]
_IN_SIGNING_UPDATE = [  # made from the approved copy by a signature (and what its update adds)
    "edited_after_approval_then_signed", "content_changed_in_signing_update",
    "annotation_added_in_signing_update", "signature_field_enlarged_in_signing_update",
    "new_visible_signature_field_signed",
]
_PARTNER_PATCHED = [  # the partner's signature patched in place
    "byte_flipped_in_signed_range", "signature_contents_zeroed", "signature_contents_emptied",
    "signature_byterange_changed", "byte_range_null", "byte_range_three_numbers", "byte_range_overlapping",
    "byte_range_with_gap", "contents_not_a_string",
]
RECIPES: dict[str, tuple[str, list]] = {
    **{n: ("signed", [RECERTIFY, _plain(getattr(make, n))]) for n in _AFTER_SIGNING},
    **{n: ("approved", [RECERTIFY, getattr(make, n)]) for n in _IN_SIGNING_UPDATE},
    **{n: ("approved", [RECERTIFY, _partner_signs, _plain(getattr(make, n))]) for n in _PARTNER_PATCHED},
    "recertified_after_signing": ("signed", [RECERTIFY, make.recertified_after_signing]),
    "recertified_with_content_change": ("signed", [RECERTIFY, make.recertified_with_content_change]),
    "signed_by_untrusted_signer": ("approved", [RECERTIFY, _untrusted_signs]),
    # the attack changes the approved bytes: re-certified after it, then signed
    "byte_flipped_in_page_content": ("signed", [_plain(make.byte_flipped_in_page_content), RECERTIFY]),
    "rewritten_by_qpdf_then_signed": ("approved", [_plain(make.rewritten_by_qpdf), RECERTIFY, _signs]),
    "rewritten_by_pikepdf_then_signed": ("approved", [_plain(make.rewritten_by_pikepdf), RECERTIFY, _signs]),
    "form_field_filled_after_signing": (
        "form", [RECERTIFY, _signs, _plain(make.form_field_filled_after_signing)]),
}
# the re-certified copies the attacks start from, with no attack (controls: none of the cases'
# findings may be in them already)
CONTROLS: dict[str, tuple[str, list]] = {
    "signed_copy": ("signed", [RECERTIFY]),
    "approved_copy_then_partner_signed": ("approved", [RECERTIFY, _partner_signs]),
    "approved_copy_then_signed": ("approved", [RECERTIFY, _signs]),
    "certified_form_then_signed": ("form", [RECERTIFY, _signs]),
}
_BASES = {
    "approved": lambda r: r.getfixturevalue("approved").convenant.read_bytes(),
    "signed": lambda r: r.getfixturevalue("signed_convenant").read_bytes(),
    "form": lambda r: r.getfixturevalue("certified_form"),
}


@pytest.fixture(scope="session")
def recertified_ws(tmp_path_factory):
    """A workspace on the same test PKI in which only re-certified copies are approved."""
    from zvhsign.services.setup import init_test_workspace

    return init_test_workspace(tmp_path_factory.mktemp("recertified") / "ws")


class _Recipes:
    """Runs recipes; a step already taken on the same bytes is not taken again (the
    re-certified bases are made and registered once), each registration a version of its own."""

    def __init__(self, ws, forger):
        self.ws, self.forger, self.done, self.registered = ws, forger, {}, 0

    def run(self, data: bytes, steps: list) -> bytes:
        import hashlib

        for step in steps:
            key = (hashlib.sha256(data).digest(), step)
            if key not in self.done:
                self.done[key] = self._take(data, step)
            data = self.done[key]
        return data

    def _take(self, data: bytes, step) -> bytes:
        if step is not RECERTIFY:
            return step(data, self.forger)
        out = make.recertify(data, self.forger)
        self.registered += 1
        make.register_approved(self.ws, out, f"1.{self.registered}", self.forger)
        return out


@pytest.fixture(scope="session")
def recipes(recertified_ws, forger) -> _Recipes:
    return _Recipes(recertified_ws, forger)


def _recertified(name: str, base: str, steps: list):
    @pytest.fixture(scope="session", name=f"{name}_recertified")
    def _made(request, attack_dir, recipes):
        path = attack_dir / f"{name}_recertified.pdf"
        path.write_bytes(recipes.run(_BASES[base](request), steps))
        return path

    return _made


for _name, (_base, _steps) in {**RECIPES, **CONTROLS}.items():
    globals()[f"{_name}_recertified"] = _recertified(_name, _base, _steps)
