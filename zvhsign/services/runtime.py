"""The per-process runtime: one event loop, one HTTP session, one TrustEnv.

Everything that talks to the network (TSA, OCSP, CRL) goes through the single
aiohttp session opened here, so a batch of files shares connections and the
fetched validation data.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone

from ..pdf.trust import TrustEnv, build_trust_env, load_certs
from .workspace import Workspace


class Runtime:
    """One command's runtime. The HTTP session and the trust environment are made on first
    use (:attr:`env`): a command answered from the evidence cache never imports the HTTP
    client or the TSA client, nor serves the test PKI."""

    def __init__(self, workspace: Workspace, make_env: Callable[[], tuple[TrustEnv, object]], *,
                 lists_pending: bool = False, reuse_lists: bool = True) -> None:
        self.workspace = workspace
        self._make_env = make_env
        self._env: TrustEnv | None = None
        self._session: object | None = None
        #: the workspace's trusted lists are loaded on first need (:meth:`ensure_trusted_lists`)
        self.lists_pending = lists_pending
        #: what the same lists said when last read is used again (services/trustlists.load_lists)
        self.reuse_lists = reuse_lists
        self._spec: object | None = None

    @property
    def env(self) -> TrustEnv:
        """The trust environment (roots, fetchers, TSA), made on first use."""
        if self._env is None:
            self._env, self._session = self._make_env()
        return self._env

    @property
    def session(self) -> object:
        """The one aiohttp ClientSession, made on first use."""
        self.env  # noqa: B018 -- makes both
        return self._session

    def ensure_trusted_lists(self) -> None:
        """Load (and verify) the workspace's EU trusted lists into the trust environment,
        once, before the first examination that needs them: a command answered from the
        evidence cache never does (the cache key holds the lists' SHA-256, so a changed list
        is a miss, which loads -- and refuses -- it)."""
        if self.lists_pending:
            self.lists_pending = False
            from .trustlists import load_lists

            lists = load_lists(self.workspace, reuse=self.reuse_lists)
            if lists is not None:  # none loaded in this workspace
                _use_lists(self.env, lists)

    def signature_spec(self):  # noqa: ANN201
        """The AdES validation spec for this command's examinations (trusted lists loaded)."""
        self.ensure_trusted_lists()
        if self._spec is None:
            self._spec = self.env.signature_spec()
        return self._spec

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
    ws: Workspace, *, online: bool = True, moment: datetime | None = None,
    trusted_lists: bool | str = True, reuse_lists: bool = True,
) -> AsyncIterator[Runtime]:
    """``trusted_lists``: use the workspace's loaded EU trusted lists (a trust source, and
    the eIDAS qualification of every signature); ``"lazy"``: load them on first need
    (:meth:`Runtime.ensure_trusted_lists`, the pipeline's examinations). ``reuse_lists``:
    False reads them anew (``verify --no-cache``), not what they said when last read."""
    cfg = ws.config
    lists = None
    if trusted_lists is True:
        from .trustlists import load_lists

        lists = load_lists(ws, reuse=reuse_lists)
    roots = load_certs(cfg.trust_roots)
    others = load_certs(cfg.other_certs)
    async with contextlib.AsyncExitStack() as stack:

        def make_env() -> tuple[TrustEnv, object]:
            # called from the command's coroutines (aiohttp wants the running loop)
            import aiohttp

            if cfg.test_pki:
                from ..testpki import LocalTestPKI, certs_dir, make_client_session

                # served on first use: nothing fetched, nothing loaded
                pki = LocalTestPKI(certs_dir(), at_time=cfg.test_pki_clock)
                stack.callback(pki.stop)
                session = make_client_session(pki.lazy_host_map)
            else:
                session = aiohttp.ClientSession()
            stack.push_async_callback(session.close)  # closed before the test PKI stops
            env = build_trust_env(
                session, trust_roots=roots, other_certs=others, tsa_url=cfg.tsa_url,
                timeout=cfg.tsa_timeout, online=online, moment=moment,
            )
            if lists is not None:
                _use_lists(env, lists)
            return env, session

        yield Runtime(ws, make_env, lists_pending=trusted_lists == "lazy", reuse_lists=reuse_lists)


def _use_lists(env: TrustEnv, lists) -> None:  # noqa: ANN001
    env.tsp_registry = lists.registry
    env.stale_lists = tuple(i.territory for i in lists.stale_at(env.moment or datetime.now(timezone.utc)))
