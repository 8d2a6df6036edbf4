"""The per-process runtime: one event loop, one HTTP session, one TrustEnv.

Everything that talks to the network (TSA, OCSP, CRL) goes through the single
aiohttp session opened here, so a batch of files shares connections and the
fetched validation data.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from ..errors import WorkspaceError
from ..pdf.trust import TrustEnv
from .workspace import Workspace


def load_certs(paths) -> list:
    from pyhanko.keys import load_certs_from_pemder

    certs = []
    for p in paths:
        try:
            certs.extend(load_certs_from_pemder([str(p)]))
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"can't read certificate file {p}: {exc}") from None
    return certs


@dataclass
class Runtime:
    workspace: Workspace
    env: TrustEnv

    @property
    def secretariat_fingerprints(self) -> frozenset[str]:
        return frozenset(c.sha256.hex() for c in load_certs(self.workspace.config.secretariat_certs))

    def require_secretariat(self, cert, why: str) -> None:
        """Refuse (exit 1) a signing certificate that is not the secretariat's."""
        from ..errors import RefusedError

        if cert.fingerprint_sha256 not in self.secretariat_fingerprints:
            raise RefusedError(
                f"{cert.subject} is not a secretariat certificate of this workspace; {why}"
            )


@contextlib.asynccontextmanager
async def open_runtime(
    ws: Workspace, *, online: bool = True, moment: datetime | None = None
) -> AsyncIterator[Runtime]:
    import aiohttp
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    cfg = ws.config
    roots = load_certs(cfg.trust_roots)
    others = load_certs(cfg.other_certs)
    async with contextlib.AsyncExitStack() as stack:
        if cfg.test_pki:
            from ..testpki import LocalTestPKI, certs_dir, make_client_session

            pki = stack.enter_context(LocalTestPKI(certs_dir()))
            session = make_client_session(pki.host_map)
        else:
            session = aiohttp.ClientSession()
        await stack.enter_async_context(session)
        fetchers = AIOHttpFetcherBackend(session=session, per_request_timeout=cfg.tsa_timeout)
        timestamper = None
        if cfg.tsa_url:
            timestamper = HTTPTimeStamper(cfg.tsa_url, session=session, timeout=int(cfg.tsa_timeout))
        env = TrustEnv(
            trust_roots=roots,
            other_certs=others,
            fetcher_backend=fetchers if online else None,
            timestamper=timestamper,
            online=online,
            moment=moment,
        )
        yield Runtime(ws, env)
