"""Whether an exception from reading or validating a signature means that the file could not
be read there: a damaged object, stream or dictionary (pyHanko's PDF reader), an object the
cross-reference table names but the file does not hold, or ASN.1 that does not parse. Such a
failure gives the same answer every time (unlike a time-out or a service out of reach)."""

from __future__ import annotations

import traceback


def unreadable_here(exc: BaseException) -> bool:
    """True when ``exc`` says the file could not be read where it was being read."""
    from pyhanko.pdf_utils.misc import PdfReadError

    if isinstance(exc, PdfReadError):
        return True
    frames = traceback.extract_tb(exc.__traceback__)
    where = frames[-1].filename.replace("\\", "/") if frames else ""
    if isinstance(exc, KeyError) and "/pyhanko/pdf_utils/" in where:
        return True  # an object or a required entry that is not there
    return isinstance(exc, ValueError) and "/asn1crypto/" in where  # ASN.1 that does not parse
