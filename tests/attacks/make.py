"""Generator of attacked copies, made at test time from real copies signed with the test PKI.

Every function takes the bytes of a real PDF (an approved or signed copy) and
returns the bytes of an attacked copy; the ones that sign do so with a
:class:`Forger`, who holds a real test key and signs with pyHanko directly --
bypassing the checks ``zvhsign sign`` makes, as an attacker would.

The function name says what the attack is; the tests name their fixtures after it.

The generators live next to this file, by what they change; this module loads them and
re-exports every public name, so ``make.<name>`` is all a test needs:

- make_signing.py: the :class:`Forger`, re-certification and registration of a copy
- make_updates.py: writer helpers (``incremental``, ``draw_on_page``, ``RED_BOX``) and
  changes in an incremental update: content, pages, fonts, catalog, metadata, DSS
- make_fields.py: form fields, widgets and signature fields added, filled or changed
- make_bytes.py: the file's bytes: rewrites, flipped bytes, appended bytes, cut-offs
- make_sigdict.py: the partner signature's /Contents and /ByteRange patched in place

(make_foreign.py, signatures with other algorithms, is loaded by conftest.py on its own.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# in dependency order: a part imports the parts before it as ``zvh_attacks_<name>``
_PARTS = ("make_signing", "make_updates", "make_fields", "make_bytes", "make_sigdict")


def _part(name: str):
    """Load ``<name>.py`` next to this file once per process, as module ``zvh_attacks_<name>``
    (the tests are not a package: the parts import each other by that name)."""
    key = f"zvh_attacks_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(__file__).with_name(f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[key]
            raise
    return sys.modules[key]


for _name in _PARTS:
    _module = _part(_name)
    assert not set(_module.__all__) & set(globals()), f"{_name} redefines a name"
    globals().update({n: getattr(_module, n) for n in _module.__all__})
