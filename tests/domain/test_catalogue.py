"""One finding catalogue: every code defined once, docs generated from it, and README and
docs naming only codes that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from zvhsign.domain import catalogue
from zvhsign.domain.findings import Code, Level

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / "zvhsign").rglob("*.py"))


def test_docs_findings_md_is_generated_from_the_catalogue():
    assert (REPO / "docs" / "findings.md").read_text(encoding="utf-8") == catalogue.markdown(), (
        "docs/findings.md is stale: python -m zvhsign.domain.catalogue > docs/findings.md"
    )


def test_every_code_has_a_meaning_and_every_blocking_code_a_hint():
    for c in catalogue.CATALOGUE.values():
        assert c.meaning.strip(), c.name
        assert c.scope in {"file", "signature", "partner", "mandate"}, c.name
        if c.level is not Level.INFO and c.scope != "mandate":
            assert c.hint, f"{c.name} blocks but says nothing about what to do"


def _catalogue_aliases(tree: ast.AST) -> set[str]:
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.module and n.module.endswith("domain") or (
            isinstance(n, ast.ImportFrom) and n.module in (None, "..", ".", "...")
        ):
            names |= {a.asname or a.name for a in n.names if a.name == "catalogue"}
        if isinstance(n, ast.ImportFrom) and n.module and n.module.endswith("catalogue"):
            pass
    return names


def test_every_code_the_program_can_emit_is_in_the_catalogue():
    """Findings are made only by calling a catalogue Code: no Finding(...) built elsewhere,
    and every `C.NAME` a module uses exists in the catalogue."""
    used = set()
    for src in SOURCES:
        tree = ast.parse(src.read_text(encoding="utf-8"))
        if src.name not in ("findings.py", "catalogue.py"):
            built = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                     and getattr(n.func, "id", None) in ("Finding", "fail", "warn", "info")]
            assert not built, f"{src.relative_to(REPO)} builds findings outside the catalogue"
        for alias in _catalogue_aliases(tree):
            for n in ast.walk(tree):
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == alias:
                    if n.attr.isupper():
                        used.add((src.name, n.attr))
    missing = {(f, a) for f, a in used if a not in catalogue.CATALOGUE}
    assert not missing, missing
    assert len({a for _, a in used}) > 50  # the rules really go through the catalogue


def _etsi_names() -> set[str]:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed

    return {x.standard_name for enum in (AdESFailure, AdESIndeterminate, AdESPassed) for x in enum}


def test_readme_and_docs_name_only_codes_that_exist():
    allowed = set(catalogue.CATALOGUE) | _etsi_names() | {"SIGNED_MANDATE"}
    token = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for name in set(token.findall(doc.read_text(encoding="utf-8"))):
            if name.startswith("ZVHSIGN_"):
                continue  # environment variables
            assert name in allowed, f"{doc.name} names {name}, which is not a finding code"


def test_codes_are_objects_with_one_level():
    assert all(isinstance(c, Code) for c in catalogue.CATALOGUE.values())
    assert len(catalogue.CATALOGUE) == len({c.name for c in catalogue.CATALOGUE.values()})
    f = catalogue.MANDATE_MISSING("Gemeente Haarlem has no registered mandate")
    assert (f.code, f.level, f.hint) == ("MANDATE_MISSING", Level.FAIL, catalogue.MANDATE_MISSING.hint)
    assert catalogue.SIGNATURE_INVALID("  ").message == catalogue.SIGNATURE_INVALID.meaning  # never empty
