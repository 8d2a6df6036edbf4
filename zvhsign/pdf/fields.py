"""The signature-field scheme every stamped version carries.

``stamp`` adds empty signature fields (flags Print+Locked) so that every later
revision can be analysed field by field:

* ``ZVH_Goedkeuring`` -- the secretariat's certification (approval) signature;
  invisible (zero-size widget on page 1): the stamp line on every page already
  says which version this is;
* ``ZVH_Handtekening_01`` … ``ZVH_Handtekening_NN`` -- partner signatures, filled
  in order by ``zvhsign sign`` (the next free one).

Visible partner signatures (layout decision): a field can't be resized or moved
when it is signed without that counting as a change to the approved version
(pyHanko's diff policy and zvhsign's own structure analysis both forbid /Rect
changes outside the signing keys they allow, and other validators do too). So
``stamp`` pre-creates the partner fields *visibly*: it appends signature pages
("Digitale ondertekening", :data:`SLOTS_PER_PAGE` slots each, two columns)
after the source's pages, draws a caption and a light frame for every slot in
the page content, and gives each partner field the rectangle of its slot
(:func:`partner_slot`). Signing then only adds the value and the appearance
(name, role, organisation, date/time and, for a mandated mayor, the capacity)
to the existing field -- exactly what a signature may add. ``--invisible``
signs the same field without an appearance. All of it is computed from the
page size and the field count, so stamping stays byte-for-byte reproducible.

Other products (e.g. Acrobat) may create a new signature field while signing;
verify accepts that, as long as the new field carries a signature and nothing else.
"""

from __future__ import annotations

import math

APPROVAL_FIELD = "ZVH_Goedkeuring"
REPORT_FIELD = "ZVH_Rapport"  # the secretariat's signature on an audit report
PARTNER_FIELD_PREFIX = "ZVH_Handtekening_"
DEFAULT_PARTNER_FIELDS = 24

#: partner slots per appended signature page (2 columns x 12 rows)
SLOT_COLUMNS = 2
SLOT_ROWS = 12
SLOTS_PER_PAGE = SLOT_COLUMNS * SLOT_ROWS
#: page geometry of the signature pages (points)
_MARGIN_X = 50.0
_GAP_X = 16.0
_TOP = 118.0  # heading and explanation above the slots
_BOTTOM = 44.0  # the stamp line sits at y=20..30
_CAPTION = 9.0  # caption line above each slot


def partner_field_name(index: int) -> str:
    return f"{PARTNER_FIELD_PREFIX}{index:02d}"


def signature_pages(partner_fields: int) -> int:
    """How many signature pages ``stamp`` appends for ``partner_fields`` fields."""
    return max(1, math.ceil(partner_fields / SLOTS_PER_PAGE))


def partner_slot(index: int, width: float, height: float) -> tuple[int, tuple[float, float, float, float]]:
    """(signature page number from 0, widget rectangle x1, y1, x2, y2) of partner field ``index`` (1-based).

    Slots fill the left column top to bottom, then the right one.
    """
    i = index - 1
    page, pos = divmod(i, SLOTS_PER_PAGE)
    col, row = divmod(pos, SLOT_ROWS)
    slot_w = (width - 2 * _MARGIN_X - (SLOT_COLUMNS - 1) * _GAP_X) / SLOT_COLUMNS
    row_h = (height - _TOP - _BOTTOM) / SLOT_ROWS
    x1 = _MARGIN_X + col * (slot_w + _GAP_X)
    top = height - _TOP - row * row_h
    y2 = top - _CAPTION
    y1 = top - row_h + 3.0
    return page, (round(x1, 2), round(y1, 2), round(x1 + slot_w, 2), round(y2, 2))
