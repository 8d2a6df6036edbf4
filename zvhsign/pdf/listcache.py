"""What the trusted lists said, kept between commands: read once, not at every command.

Reading the EU trusted lists (:mod:`zvhsign.pdf.trustlists`) verifies each list's XML
signature and parses it into pyHanko's ``TSPRegistry``; pyHanko's parser (xsdata models
of ETSI TS 119 612) costs most of a second to import, and the real lists (megabytes)
seconds to parse -- at every command that validates a signature. What a list says
depends on its bytes and the certificates that may sign it only; so the result is kept,
keyed by those (the caller makes the key), and used again while they are unchanged.

The kept form is a pickle of pyHanko's objects (ASN.1 values as their DER), read back by
an unpickler that makes nothing but the few classes a ``TSPRegistry`` is made of: a
changed or foreign file is a miss (the lists are read again), never code that runs.
Like the evidence cache it proves nothing; it saves time.
"""

from __future__ import annotations

import importlib
import io
import pickle

#: the kept form's version: part of the key (another version is a miss)
FORMAT = "zvhsign.trusted-lists-read/1"

_ALLOWED = {
    "builtins": {"set", "frozenset"},
    "collections": {"defaultdict"},
    "datetime": {"datetime", "timedelta", "timezone", "date"},
    "copyreg": {"_reconstructor"},
    "pyhanko_certvalidator.authority": {"AuthorityWithCert"},
    "zvhsign.pdf.trustlists": {"ListInfo"},
    "zvhsign.pdf.listcache": {"_asn1"},
}
#: pyHanko's module of qualified services: its dataclasses, enums and the registry
_TSP = "pyhanko.sign.validation.qualified.tsp"


def _asn1(module: str, qualname: str, der: bytes):  # noqa: ANN202
    """An asn1crypto value again, from its DER."""
    from asn1crypto.core import Asn1Value

    if not module.startswith("asn1crypto.") or "." in qualname:
        raise pickle.UnpicklingError(f"not an ASN.1 type: {module}.{qualname}")
    cls = getattr(importlib.import_module(module), qualname, None)
    if not (isinstance(cls, type) and issubclass(cls, Asn1Value)):
        raise pickle.UnpicklingError(f"not an ASN.1 type: {module}.{qualname}")
    return cls.load(der)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):  # noqa: ANN001, ANN201
        from asn1crypto.core import Asn1Value

        if isinstance(obj, Asn1Value):
            return _asn1, (type(obj).__module__, type(obj).__qualname__, obj.dump())
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):  # noqa: ANN201
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module == _TSP and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == _TSP:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of what a trusted list says")


def dump_read(registry, infos: tuple) -> bytes:  # noqa: ANN001
    """The kept form of ``(registry, infos)`` (a ``TSPRegistry`` and the lists' ListInfo)."""
    buf = io.BytesIO()
    _Pickler(buf, protocol=5).dump((FORMAT, registry, tuple(infos)))
    return buf.getvalue()


def load_read(data: bytes):  # noqa: ANN201
    """``(registry, infos)`` from :func:`dump_read`'s bytes, or None when they are not that."""
    from pyhanko.sign.validation.qualified.tsp import TSPRegistry

    from .trustlists import ListInfo

    try:
        found = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - damaged, foreign, another version: read the lists again
        return None
    if not (isinstance(found, tuple) and len(found) == 3 and found[0] == FORMAT):
        return None
    _, registry, infos = found
    if not isinstance(registry, TSPRegistry) or not all(isinstance(i, ListInfo) for i in infos):
        return None
    return registry, infos
