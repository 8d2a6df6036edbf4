"""Order between documents: only covenant participants sign the Privacy Protocol, and
the covenant signature must be proven to exist before the protocol signature."""

from __future__ import annotations

from collections.abc import Iterable

from ...errors import moment_text
from .. import catalogue as C
from ..documents import DocumentKind
from ..findings import Finding
from .authority import existed_by, made_after
from .base import Context, Scope, Subject


class ProtocolAfterCovenant:
    """Proven before: a covenant signature's timestamp (upper bound) precedes the protocol
    signature's content timestamp (lower bound). Proven after: the protocol signature
    existed (upper bound) before every covenant signature's content timestamp."""

    name = "PROTOCOL_AFTER_COVENANT"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        av, a, gov = s.file.approved, s.who, ctx.governance
        if gov is None or a is None or av is None or av.document is not DocumentKind.PROTOCOL:
            return
        covenant = gov.covenant_of(a.partner.key)
        if not covenant:
            yield C.COVENANT_SIGNATURE_MISSING(
                f"no valid covenant signature of {a.partner.name} is recorded or among the files verified"
            )
            return
        after, by = made_after(s), existed_by(s, ctx)
        for c in covenant:
            st = c.signature_timestamp
            if st is not None and st.ok and after is not None and st.time < after:
                yield C.PROTOCOL_AFTER_COVENANT(
                    f"{a.partner.name} signed the covenant by {moment_text(st.time)} ({c.copy}), before "
                    f"this signature's content timestamp {moment_text(after)}"
                )
                return
        lower = [c.content_timestamp.time for c in covenant if c.content_timestamp and c.content_timestamp.ok]
        if len(lower) == len(covenant) and by < min(lower):
            yield C.PROTOCOL_BEFORE_COVENANT(
                f"this signature existed by {moment_text(by)}, before {a.partner.name} signed the covenant "
                f"(not before {moment_text(min(lower))})"
            )
            return
        yield C.PROTOCOL_ORDER_UNPROVEN(
            f"{a.partner.name} has a valid covenant signature, but it can't be proven that it existed "
            "before this protocol signature"
        )


RULES = (ProtocolAfterCovenant(),)
