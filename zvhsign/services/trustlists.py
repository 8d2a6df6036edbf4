"""The EU trusted lists of a workspace: load them (verified), keep them, use them.

``zvhsign trust tl add SOURCE`` reads the list of trusted lists (LOTL) from a file or
URL, verifies its XML signature against the certificates that may sign it
(``[trusted_lists] lotl_signers``, by default the ones published in the Official
Journal that pyHanko knows), then reads the national list of every territory in
``[trusted_lists] territories`` (from a file given with ``--tl CC=FILE``, or from
where the LOTL says it is published) and verifies it with the certificates the
LOTL names for it. Only when every list verifies are they kept, together, in the
workspace folder ``trusted-lists/``; each is logged in the audit log (territory,
sequence number, issue and next-update dates, SHA-256).

Every command that validates signatures checks the kept lists' bytes again
(:func:`load_lists`): what unchanged lists said is used again (``trusted-lists/.read``),
a list changed on disk is verified anew -- and refused, not used.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputError, ServiceError, ZvhsignError
from .workspace import Workspace

LOTL_FILE = "eu-lotl.xml"
MAX_LIST_BYTES = 64 * 1024 * 1024  # the real EU lists are a few MB at most


def national_file(territory: str) -> str:
    return f"tsl-{territory.lower()}.xml"


@dataclass(frozen=True)
class LoadedLists:
    """The verified lists of a workspace and the qualified services read from them."""

    registry: object  # pyHanko TSPRegistry
    lists: tuple  # ListInfo, the LOTL first

    def stale_at(self, moment: datetime) -> tuple:
        return tuple(i for i in self.lists if i.stale_at(moment))


@dataclass(frozen=True)
class AddResult:
    lists: tuple  # ListInfo, the LOTL first
    changed: bool  # False: the same lists were already loaded
    stale: tuple  # ListInfo past their next update now


def lotl_signer_certs(ws: Workspace) -> list:
    from ..pdf.trust import load_certs
    from ..pdf.trustlists import lotl_signers_bundled

    return load_certs(ws.config.lotl_signers) if ws.config.lotl_signers else lotl_signers_bundled()


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def _read_source(source: str, what: str, client) -> bytes:  # noqa: ANN001
    """The bytes of a list from a file, or from a URL over ``client`` (aiohttp)."""
    if not _is_url(source):
        from .files import read_input

        data = read_input(Path(source))
        if len(data) > MAX_LIST_BYTES:
            raise InputError(f"{source}: {len(data)} bytes is too large for a trusted list")
        return data
    import aiohttp

    try:
        async with client.get(source, timeout=aiohttp.ClientTimeout(total=120)) as resp:
            if resp.status != 200:
                raise ServiceError(f"{what}: {source} answered HTTP {resp.status}",
                                   hint="check the address, or download the list and give the file")
            data = await resp.content.read(MAX_LIST_BYTES + 1)
    except aiohttp.ClientError as exc:
        raise ServiceError(f"{what}: could not fetch {source}: {exc}",
                           hint="working offline? download the list and give the file") from None
    except TimeoutError:
        raise ServiceError(f"{what}: {source} did not answer in time") from None
    if len(data) > MAX_LIST_BYTES:
        raise InputError(f"{what}: {source} is too large for a trusted list")
    return data


async def _collect(ws: Workspace, source: str, national: dict[str, str]):
    """The LOTL's bytes and the national lists' bytes; URLs fetched over one HTTP session
    (the workspace's test PKI host names mapped when it serves one), opened only when needed."""
    import contextlib

    from ..pdf.trustlists import TrustedListError, read_lotl
    from .runtime import open_runtime

    async with contextlib.AsyncExitStack() as stack:
        runtime = []

        async def read(where: str, what: str) -> bytes:
            if _is_url(where) and not runtime:
                runtime.append(await stack.enter_async_context(open_runtime(ws, trusted_lists=False)))
            return await _read_source(where, what, runtime[0].session if runtime else None)

        lotl_data = await read(source, "the list of trusted lists")
        lotl = read_lotl(lotl_data, lotl_signer_certs(ws))
        datas = {}
        for territory in ws.config.territories:
            where = national.get(territory) or (lotl.pointers.get(territory) or (None,))[0]
            if where is None:
                raise TrustedListError(f"the list of trusted lists does not point to a list for {territory}")
            datas[territory] = await read(where, f"the trusted list of {territory}")
    return lotl_data, datas


def read_all(ws: Workspace, lotl_data: bytes, nationals: dict[str, bytes]):
    """Verify and read the LOTL and the national lists; (registry, infos)."""
    from ..pdf.trustlists import read_lotl, read_national_list

    lotl = read_lotl(lotl_data, lotl_signer_certs(ws))
    registry, infos = None, [lotl.info]
    for territory in ws.config.territories:
        registry, info = read_national_list(nationals[territory], lotl, territory, registry)
        infos.append(info)
    return lotl, registry, tuple(infos)


def add_lists(ws: Workspace, source: str, national: dict[str, str] | None = None, *,
              actor: str, now: datetime | None = None) -> AddResult:
    """Load the LOTL from ``source`` and the national lists of the workspace's
    territories (``national``: {territory: file or URL}, else from the LOTL's pointers);
    keep them only when all verify; log each."""
    from ..pdf.trustlists import TrustedListError

    now = now or datetime.now(timezone.utc)
    national = {k.upper(): v for k, v in (national or {}).items()}
    unknown = set(national) - set(ws.config.territories)
    if unknown:
        raise TrustedListError(
            f"--tl for {', '.join(sorted(unknown))}, but [trusted_lists] territories is "
            f"{', '.join(ws.config.territories) or 'empty'}",
            hint='add the country to [trusted_lists] territories in zvhsign.toml, e.g. ["NL"]',
        )
    import asyncio

    lotl_data, datas = asyncio.run(_collect(ws, source, national))
    _, _, infos = read_all(ws, lotl_data, datas)
    changed = _keep(ws, lotl_data, datas)
    if changed:
        _log(ws, infos, source, national, actor)
    _load_cached.cache_clear()
    return AddResult(infos, changed, tuple(i for i in infos if i.stale_at(now)))


def _keep(ws: Workspace, lotl_data: bytes, datas: dict[str, bytes]) -> bool:
    """Write the lists into trusted-lists/ (each file atomically); False when unchanged."""
    from .files import write_atomic

    folder = ws.trusted_lists_dir
    wanted = {LOTL_FILE: lotl_data, **{national_file(t): d for t, d in datas.items()}}
    if folder.is_dir() and all((folder / n).is_file() and (folder / n).read_bytes() == d for n, d in wanted.items()):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in wanted.items():
        write_atomic(folder / name, data)
    return True


def _log(ws: Workspace, infos, source: str, national: dict, actor: str) -> None:
    from .registry_access import open_registry

    with open_registry(ws) as registry:
        for info in infos:
            where = source if info.is_lotl else national.get(info.territory, "the location the LOTL names")
            registry.append_event(
                "trusted-list",
                f"trusted list {info.territory} loaded (sequence {info.sequence_number})",
                actor=actor, object_sha256s=(info.sha256,),
                details={**info.to_json(), "source": str(where)},
            )


def stored_digests(ws: Workspace) -> dict[str, str]:
    """{file name: SHA-256} of the kept lists (empty when none are loaded)."""
    folder = ws.trusted_lists_dir
    if not (folder / LOTL_FILE).is_file():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.xml"))}


def load_lists(ws: Workspace, *, reuse: bool = True) -> LoadedLists | None:
    """The kept lists; None when none are loaded. A kept list that no longer verifies
    (changed on disk) stops the command (exit 3): judging qualification or trust without
    it would be wrong either way.

    ``reuse``: what the same lists (the same bytes, the same certificates that may sign
    them) said when a command last read them is used again (``trusted-lists/.read``,
    pdf/listcache.py), not read anew; ``verify --no-cache`` reads them anew."""
    digests = stored_digests(ws)
    if not digests:
        return None
    signers = tuple(sorted(str(p) for p in ws.config.lotl_signers))
    return _load_cached(str(ws.trusted_lists_dir), tuple(sorted(digests.items())), ws.config.territories,
                        signers, ws, reuse)


READ_FILE = ".read"  # in trusted-lists/: what the lists said (pdf/listcache.py)


def _read_key(digests: tuple, territories: tuple, ws: Workspace) -> str:
    """Everything what the lists say rests on: their bytes, the certificates that may sign
    the LOTL (configured files, or the ones this pyHanko knows), the reading code."""
    import json

    from ..pdf.listcache import FORMAT

    signers = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.config.lotl_signers) \
        or ["bundled with pyHanko"]
    parts = {"format": FORMAT, "lists": list(digests), "territories": list(territories), "signers": signers,
             "code": [_version(d) for d in ("pyhanko", "pyhanko-certvalidator", "asn1crypto", "xsdata")]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


def _kept_read(base: Path, key: str):  # noqa: ANN202
    from ..pdf.listcache import load_read

    try:
        data = (base / READ_FILE).read_bytes()
    except OSError:
        return None
    head = key.encode() + b"\n"  # what the kept read was made from (:func:`_read_key`)
    return load_read(data[len(head):]) if data.startswith(head) else None


def _keep_read(base: Path, key: str, registry, infos: tuple) -> None:  # noqa: ANN001
    from ..pdf.listcache import dump_read
    from .files import write_atomic

    try:
        write_atomic(base / READ_FILE, key.encode() + b"\n" + dump_read(registry, infos))
    except ZvhsignError:  # a read-only workspace: read them again next time
        pass


@functools.lru_cache(maxsize=4)
def _load_cached(folder: str, digests: tuple, territories: tuple, signers: tuple, ws: Workspace,  # noqa: ARG001
                 reuse: bool) -> LoadedLists:
    from ..pdf.trustlists import TrustedListError

    base = Path(folder)
    try:
        key = _read_key(digests, territories, ws)
        kept = _kept_read(base, key) if reuse else None
        if kept is not None:
            return LoadedLists(*kept)
        lotl_data = (base / LOTL_FILE).read_bytes()
        datas = {}
        for t in territories:
            p = base / national_file(t)
            if not p.is_file():
                raise InputError(
                    f"no trusted list of {t} is loaded in this workspace",
                    hint="load the lists again: zvhsign trust tl add LOTL (or remove the country "
                         "from [trusted_lists] territories)",
                )
            datas[t] = p.read_bytes()
        _, registry, infos = read_all(ws, lotl_data, datas)
    except TrustedListError as exc:
        raise InputError(
            f"a trusted list kept in {folder} no longer verifies: {exc.message}",
            hint="load the lists again from their official source: zvhsign trust tl add LOTL",
        ) from None
    except OSError as exc:
        raise InputError(f"can't read the trusted lists in {folder}: {exc.strerror}") from None
    _keep_read(base, key, registry, infos)
    return LoadedLists(registry, infos)
