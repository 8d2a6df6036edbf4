"""Anchors of the audit log (pure Python): RFC 3161 tokens over earlier chain heads,
kept as ``anchor`` events; see :mod:`zvhsign.domain.audit`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from .audit_events import AuditEvent, ChainHead, ChainProblem, canonical_time

ANCHOR_ACTION = "anchor"
"""Action of an audit event that stores an RFC 3161 timestamp over an earlier chain head."""

#: Kind of :class:`ChainProblem` for an anchor that does not match the chain.
ANCHOR_MISMATCH = "anchor-mismatch"


@dataclass(frozen=True)
class Anchor:
    """An RFC 3161 timestamp token over the chain head ``anchored_hash`` (event ``anchored_seq``).

    The token's message imprint is the SHA-256 value ``anchored_hash`` itself (the
    event hash *is* a SHA-256 digest), so the TSA vouches that this exact chain,
    up to and including that event, existed at ``tsa_time``. The token is kept
    base64-encoded DER in the details of the ``anchor`` event (event ``seq``).
    """

    seq: int
    anchored_seq: int
    anchored_hash: str
    token_b64: str
    tsa_time: datetime | None
    tsa: str | None

    @classmethod
    def details_for(
        cls, *, anchored: ChainHead, token_b64: str, tsa_time: datetime, tsa: str | None
    ) -> dict:
        return {
            "anchored_seq": anchored.seq,
            "anchored_hash": anchored.hash,
            "token": token_b64,
            "tsa_time": canonical_time(tsa_time),
            "tsa": tsa,
        }

    @classmethod
    def from_event(cls, event: AuditEvent) -> "Anchor | None":
        """The anchor an ``anchor`` event holds; None when it is malformed (reported by check_anchors)."""
        if event.action != ANCHOR_ACTION:
            return None
        d = event.details
        try:
            seq = int(d["anchored_seq"])
            h = str(d["anchored_hash"])
            token = str(d["token"])
        except (KeyError, TypeError, ValueError):
            return None
        when = None
        raw = d.get("tsa_time")
        if isinstance(raw, str):
            try:
                when = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
            except ValueError:
                when = None
        tsa = d.get("tsa")
        return cls(event.seq, seq, h, token, when, tsa if isinstance(tsa, str) else None)


def anchors_of(events: Iterable[AuditEvent]) -> list[Anchor]:
    """The well-formed anchors in a log, in storage order."""
    out = []
    for e in sorted(events, key=lambda e: e.seq):
        a = Anchor.from_event(e)
        if a is not None:
            out.append(a)
    return out


def check_anchors(events: Iterable[AuditEvent]) -> list[ChainProblem]:
    """Every anchor must name an earlier stored event by its current hash.

    A chain rewritten after it was anchored (even with all hashes recomputed so
    that :func:`verify_chain` finds nothing) no longer holds the anchored hash at
    the anchored position, and is reported here. The token itself (signature,
    TSA trust, imprint) is checked by the service layer with pyHanko.
    """
    evs = sorted(events, key=lambda e: e.seq)
    by_seq = {e.seq: e for e in evs}
    problems: list[ChainProblem] = []
    for e in evs:
        if e.action != ANCHOR_ACTION:
            continue
        a = Anchor.from_event(e)
        if a is None:
            problems.append(
                ChainProblem(ANCHOR_MISMATCH, (e.seq,), f"anchor event {e.label} is malformed")
            )
            continue
        if a.anchored_seq >= e.seq:
            problems.append(
                ChainProblem(
                    ANCHOR_MISMATCH,
                    (e.seq,),
                    f"anchor event {e.label} claims to anchor a later event #{a.anchored_seq}",
                )
            )
            continue
        target = by_seq.get(a.anchored_seq)
        if target is None:
            problems.append(
                ChainProblem(
                    ANCHOR_MISMATCH,
                    (e.seq, a.anchored_seq),
                    f"anchor event {e.label} timestamped event #{a.anchored_seq}, which is no "
                    "longer in the log",
                )
            )
        elif target.hash != a.anchored_hash:
            problems.append(
                ChainProblem(
                    ANCHOR_MISMATCH,
                    (e.seq, a.anchored_seq),
                    f"anchor event {e.label} timestamped event #{a.anchored_seq} with hash "
                    f"{a.anchored_hash[:16]}…, but that event now has hash {target.hash[:16]}…: "
                    "the log was rewritten after it was anchored",
                )
            )
    return problems
