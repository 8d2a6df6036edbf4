"""Rendering verdicts for people (table) and scripts (JSON)."""

from __future__ import annotations

import json

from ..domain.findings import Level
from ..domain.verdicts import BatchVerdict, FileVerdict, SignatureVerdict

_MARK = {"VERIFIED": "OK  ", "FAILED": "FAIL", "ERROR": "ERR "}


def render_batch_json(batch: BatchVerdict) -> str:
    return json.dumps(batch.to_json(), indent=2, ensure_ascii=False)


def _time(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%SZ") if dt else "-"


def _sig_line(s: SignatureVerdict) -> str:
    ev = s.evidence
    who = "?"
    if ev.signer:
        who = ev.signer.common_name or ev.signer.subject
        if ev.signer.organisation:
            who += f" ({ev.signer.organisation})"
    ts = ev.signature_timestamp.time if ev.signature_timestamp else None
    return (
        f"    {ev.field_name:<22} {ev.kind.value:<18} {who:<48.48} "
        f"{ev.pades_level or '-':<6} claimed {_time(ev.claimed_signing_time)}  "
        f"timestamp {_time(ts)}  {s.indication.value}"
    )


def _evidence_line(s: SignatureVerdict) -> str | None:
    """One short line: which timestamps and revocation data the verdict rests on."""
    ev = s.evidence
    if not ev.timestamps_used and not ev.revocation_used:
        return None
    roles = [t.role for t in ev.timestamps_used]
    ts = ", ".join(f"{roles.count(r)} {r}" for r in dict.fromkeys(roles)) or "none"
    src = [r.source for r in ev.revocation_used]
    rev = f"{src.count('file')} from file, {src.count('fetched')} fetched" if src else "none"
    return f"      evidence: timestamps {ts}; revocation data {rev}"


def _finding_lines(findings, indent: str) -> list[str]:
    out = []
    for f in findings:
        if f.level is Level.INFO:
            continue
        out.append(f"{indent}{f.level.value} {f.code}: {f.message}")
        for d in f.details:
            out.append(f"{indent}     {d}")
    return out


def render_file(v: FileVerdict) -> str:
    lines = []
    if v.error:
        lines.append(f"{_MARK['ERROR']} {v.path}: {v.error}")
        return "\n".join(lines)
    ev = v.evidence
    what = ev.approved.label if ev and ev.approved else "no approved version"
    n = len(v.partner_signatures)
    lines.append(f"{_MARK[v.status]} {v.path}  [{what}; {n} partner signature(s)]")
    lines.extend(_finding_lines(v.findings, "      "))
    for s in v.signatures:
        lines.append(_sig_line(s))
        used = _evidence_line(s)
        if used:
            lines.append(used)
        lines.extend(_finding_lines(s.findings, "        "))
    return "\n".join(lines)


def render_batch_table(batch: BatchVerdict) -> str:
    parts = [render_file(f) for f in batch.files]
    ok = sum(1 for f in batch.files if f.verified)
    err = sum(1 for f in batch.files if not f.completed)
    summary = f"{ok} of {len(batch.files)} file(s) verified"
    if err:
        summary += f", {err} could not be read"
    return "\n".join(parts + ["", summary])
