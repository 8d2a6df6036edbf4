"""The signature-field scheme every stamped version carries.

``stamp`` adds empty, invisible signature fields (zero-size widgets on page 1,
flags Print+Locked) so that every later revision can be analysed field by field:

* ``ZVH_Goedkeuring`` -- the secretariat's certification (approval) signature;
* ``ZVH_Handtekening_01`` … ``ZVH_Handtekening_NN`` -- partner signatures, filled
  in order by ``zvhsign sign`` (the next free one).

Other products (e.g. Acrobat) may create a new signature field while signing;
verify accepts that, as long as the new field carries a signature and nothing else.
"""

from __future__ import annotations

APPROVAL_FIELD = "ZVH_Goedkeuring"
PARTNER_FIELD_PREFIX = "ZVH_Handtekening_"
DEFAULT_PARTNER_FIELDS = 24


def partner_field_name(index: int) -> str:
    return f"{PARTNER_FIELD_PREFIX}{index:02d}"
