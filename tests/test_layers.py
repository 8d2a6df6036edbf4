"""The package's dependency direction (README "Architecture"), checked on the source:

    errors <- domain <- {pdf, registry} <- services <- {reports, cli}
    services, reports <- web <- cli
    errors <- i18n <- {services, reports, web, cli}   (language and Dutch local time)

``domain`` is pure Python; pyHanko, pikepdf, asn1crypto and cryptography are wrapped by
``pdf``; SQLAlchemy and Alembic by ``registry``; click is imported by ``cli`` only; the web
page (Starlette, argon2) by ``web``, served by uvicorn from ``cli``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "zvhsign"

# package -> the zvhsign packages it may import
ALLOWED = {
    "errors": set(),
    "domain": {"errors"},
    "pdf": {"errors", "domain"},
    "registry": {"errors", "domain"},
    "testpki": set(),
    "i18n": {"errors"},
    "services": {"errors", "i18n", "domain", "pdf", "registry", "testpki"},
    "reports": {"errors", "i18n", "domain", "services"},
    "web": {"errors", "i18n", "domain", "services", "reports"},
    "cli": {"errors", "i18n", "domain", "pdf", "registry", "services", "reports", "testpki", "web"},
}
# third-party top-level modules -> the packages that may import them
OWNED = {
    "click": {"cli"},
    # testpki: pyHanko's QcStatements ASN.1 (certificates) and nothing else
    "pyhanko": {"pdf", "testpki"},
    "pyhanko_certvalidator": {"pdf"},
    "pikepdf": {"pdf"},
    "asn1crypto": {"pdf", "testpki"},
    "cryptography": {"pdf", "testpki"},
    "certomancer": {"testpki"},
    "lxml": {"pdf", "testpki"},  # trusted lists (XML): read in pdf/, made for tests in testpki/
    "signxml": {"testpki"},  # signing the test trusted lists (pyHanko verifies them)
    "sqlalchemy": {"registry"},
    "alembic": {"registry"},
    "starlette": {"web"},
    "argon2": {"web"},
    "anyio": {"web"},
    "uvicorn": {"cli"},
}


def _package_of(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.stem != "__init__" else ""


def _imports(path: Path):
    """(line, absolute module name) of every import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    mod_parts = ["zvhsign", *path.relative_to(PKG).with_suffix("").parts]
    if mod_parts[-1] == "__init__":
        mod_parts = mod_parts[:-1]
        pkg_parts = mod_parts
    else:
        pkg_parts = mod_parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if node.module is None and node.level:
                for alias in node.names:  # from .. import x
                    yield node.lineno, f"{name}.{alias.name}"
            else:
                yield node.lineno, name


SOURCES = sorted(p for p in PKG.rglob("*.py") if _package_of(p) in ALLOWED)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_point_one_way(path):
    own = _package_of(path)
    bad = []
    for line, name in _imports(path):
        parts = name.split(".")
        if parts[0] == "zvhsign":
            if len(parts) > 1 and parts[1] in ALLOWED and parts[1] != own and parts[1] not in ALLOWED[own]:
                bad.append(f"line {line}: {own} imports zvhsign.{parts[1]}")
        elif parts[0] in OWNED and own not in OWNED[parts[0]]:
            bad.append(f"line {line}: {own} imports {parts[0]} (only {sorted(OWNED[parts[0]])} may)")
    assert not bad, "\n".join(bad)


def test_the_check_sees_every_package():
    assert {_package_of(p) for p in SOURCES} == set(ALLOWED)
