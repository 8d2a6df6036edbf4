"""The bundled ZVH Test PKI (TEST ONLY), served locally.

``certs/zvh-test.yml`` describes a fictional hierarchy (see ``certs/README.md``).
The certificates embed service URLs under ``http://pki.zvh-test.invalid/``, a
host name that never resolves. :class:`LocalTestPKI` serves the PKI's OCSP
responders, CRLs, certificate repositories and time stamping service with
certomancer's Animator on an ephemeral port on 127.0.0.1, and
:class:`HostMapResolver` / :func:`make_client_session` route requests for
``pki.zvh-test.invalid`` to it, so the URLs inside the certificates work
unchanged::

    with LocalTestPKI(certs_dir()) as pki:
        async with make_client_session(pki.host_map) as session:
            stamper = HTTPTimeStamper(pki.tsa_url, session=session)
            ...

Importing this module is cheap: certomancer, werkzeug and aiohttp are only
imported when they are used.
"""

from __future__ import annotations

import functools
import pathlib
import socket
import threading
from typing import TYPE_CHECKING, Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # pragma: no cover
    import aiohttp
    from certomancer.registry import PKIArchitecture

__all__ = [
    "TEST_PKI_HOST",
    "TEST_PKI_URL_PREFIX",
    "TEST_PKI_ARCH",
    "TEST_PASSPHRASE",
    "TSA_URL",
    "TSA_2_URL",
    "CONFIG_FILE_NAME",
    "certs_dir",
    "load_architecture",
    "LocalTestPKI",
    "HostMapResolver",
    "make_client_session",
]

TEST_PKI_HOST = "pki.zvh-test.invalid"
TEST_PKI_URL_PREFIX = f"http://{TEST_PKI_HOST}"
TEST_PKI_ARCH = "zvh-test"
#: Passphrase of every PKCS#12 file in certs/out (test only).
TEST_PASSPHRASE = "zvh-test-only"
#: The (virtual) URL of the test TSA, as it goes into configuration files.
TSA_URL = f"{TEST_PKI_URL_PREFIX}/{TEST_PKI_ARCH}/tsa/tsa"
#: The successor TSA, whose certificate outlives the first one's (2045 vs 2035).
TSA_2_URL = f"{TEST_PKI_URL_PREFIX}/{TEST_PKI_ARCH}/tsa/tsa-2"
CONFIG_FILE_NAME = "zvh-test.yml"

HostMap = Mapping[str, "tuple[str, int] | Callable[[], tuple[str, int]]"]


def certs_dir() -> pathlib.Path:
    """Directory holding ``zvh-test.yml``, ``keys/`` and ``out/``.

    ``zvhsign/_data/certs`` when it exists (wheel install), otherwise the
    repository's ``certs/`` directory.
    """
    pkg_dir = pathlib.Path(__file__).resolve().parent.parent  # .../zvhsign
    bundled = pkg_dir / "_data" / "certs"
    if bundled.is_dir():
        return bundled
    return pkg_dir.parent / "certs"


def _register_qc_statements() -> None:
    """The signer certificates carry QcStatements: certomancer builds the extension by its
    name, which pyHanko registers with asn1crypto on import. asn1crypto builds its
    name -> OID map once, on first use; registered later (after anything in this process
    built an extension by name), the name would stay unknown -- so add it there too."""
    import pyhanko.sign.ades.qualified_asn1  # noqa: F401 -- registers 'qc_statements'
    from asn1crypto import x509

    reverse = getattr(x509.ExtensionId, "_reverse_map", None)
    if reverse is not None and "qc_statements" not in reverse:
        reverse["qc_statements"] = "1.3.6.1.5.5.7.1.3"


def load_architecture(directory: pathlib.Path | str | None = None) -> PKIArchitecture:
    """Load the certomancer architecture from ``<directory>/zvh-test.yml``."""
    from certomancer.registry import ArchLabel, CertomancerConfig

    from .fastkeys import install

    _register_qc_statements()
    install()  # each test key parsed once (fastkeys.py)

    directory = pathlib.Path(directory) if directory is not None else certs_dir()
    cfg = CertomancerConfig.from_file(
        str(directory / CONFIG_FILE_NAME), key_search_dir=str(directory)
    )
    return cfg.get_pki_arch(ArchLabel(TEST_PKI_ARCH))


class LocalTestPKI:
    """Serve the test PKI on ``127.0.0.1:<ephemeral port>`` in a daemon thread.

    Use as a context manager; the server is shut down on exit.

    :param directory: the certs directory (default :func:`certs_dir`).
    :param with_web_ui: also serve certomancer's web UI (index page, PFX
        download) -- off by default; needs ``jinja2``.
    :param at_time: a fixed "now" for all responses (default: the real time;
        a request can still override it with the ``X-Certomancer-Fake-Time``
        header).
    """

    def __init__(
        self,
        directory: pathlib.Path | str | None = None,
        *,
        with_web_ui: bool = False,
        at_time=None,
        bind_host: str = "127.0.0.1",
    ):
        self.directory = pathlib.Path(directory) if directory is not None else certs_dir()
        self.with_web_ui = with_web_ui
        self.at_time = at_time
        self.bind_host = bind_host
        self.arch: PKIArchitecture | None = None
        self.port: int | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> LocalTestPKI:
        if self._server is not None:
            raise RuntimeError("LocalTestPKI already started")
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from werkzeug.serving import WSGIRequestHandler, make_server

        class _QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # no access log on stderr
                pass

        self.arch = load_architecture(self.directory)
        app = Animator(
            AnimatorArchStore({self.arch.arch_label: self.arch}),
            at_time=self.at_time,
            with_web_ui=self.with_web_ui,
        )
        self._server = make_server(
            self.bind_host, 0, app, threaded=True, request_handler=_QuietHandler
        )
        self.port = self._server.server_port
        # serve_forever checks for shutdown every poll_interval (default 0.5 s): a command
        # that served the PKI would wait up to that long when it ends
        self._thread = threading.Thread(
            target=functools.partial(self._server.serve_forever, poll_interval=0.02),
            name=f"zvh-test-pki:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def address(self) -> tuple[str, int]:
        """``(host, port)``, starting the server on first use (thread-safe)."""
        with self._lock:
            if self._server is None:
                self.start()
        return self.bind_host, self._require_started()

    @property
    def lazy_host_map(self) -> dict:
        """Like :attr:`host_map`, but the server starts only when the name is first
        resolved: a command that fetches nothing (a verify answered from the evidence
        cache, ``--offline``) never loads the test PKI (its keys: ~1-2 s of CPU)."""
        return {TEST_PKI_HOST: self.address}

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> LocalTestPKI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------
    def _require_started(self) -> int:
        if self.port is None:
            raise RuntimeError("LocalTestPKI is not running")
        return self.port

    @property
    def base_url(self) -> str:
        """The real base URL, ``http://127.0.0.1:<port>``."""
        return f"http://{self.bind_host}:{self._require_started()}"

    @property
    def host_map(self) -> dict[str, tuple[str, int]]:
        """``{TEST_PKI_HOST: ("127.0.0.1", port)}`` for :class:`HostMapResolver`."""
        return {TEST_PKI_HOST: (self.bind_host, self._require_started())}

    @property
    def tsa_url(self) -> str:
        """Virtual TSA URL (``http://pki.zvh-test.invalid/zvh-test/tsa/tsa``)."""
        return TSA_URL

    def ocsp_url(self, responder: str = "zvh-ca") -> str:
        """Virtual URL of an OCSP responder (``zvh-ca``, ``zvh-root``, ``rogue-root``)."""
        return f"{TEST_PKI_URL_PREFIX}/{TEST_PKI_ARCH}/ocsp/{responder}"

    def crl_url(self, repo: str = "zvh-ca") -> str:
        """Virtual URL of the latest CRL of a CRL repository."""
        return f"{TEST_PKI_URL_PREFIX}/{TEST_PKI_ARCH}/crls/{repo}/latest.crl"

    def local_url(self, virtual_url: str) -> str:
        """Translate ``http://pki.zvh-test.invalid/...`` to the real local URL."""
        parts = urlsplit(virtual_url)
        if parts.scheme != "http" or parts.hostname != TEST_PKI_HOST or parts.port not in (
            None,
            80,
        ):
            raise ValueError(f"not a test PKI URL: {virtual_url!r}")
        return urlunsplit(
            ("http", f"{self.bind_host}:{self._require_started()}", parts.path,
             parts.query, parts.fragment)
        )


def _host_map_resolver_class():
    from aiohttp.abc import AbstractResolver
    from aiohttp.resolver import DefaultResolver

    class HostMapResolver(AbstractResolver):
        """aiohttp resolver that sends the host names in ``host_map`` to a fixed
        ``(ip, port)`` (the port replaces the URL's port: aiohttp connects to
        the ``port`` of the resolve result), and everything else to aiohttp's
        default resolver."""

        def __init__(self, host_map: HostMap, fallback: AbstractResolver | None = None):
            # a target is (ip, port), or a callable returning it on first use (a lazily
            # started server, LocalTestPKI.lazy_host_map)
            self.host_map = {h.lower().rstrip("."): t for h, t in host_map.items()}
            self._fallback = fallback
            self._own_fallback = fallback is None

        async def resolve(self, host: str, port: int = 0, family=socket.AF_INET):
            target = self.host_map.get(host.lower().rstrip("."))
            if target is None:
                if self._fallback is None:
                    self._fallback = DefaultResolver()
                return await self._fallback.resolve(host, port, family)
            if callable(target):  # start it outside the event loop's thread
                import asyncio

                target = await asyncio.get_running_loop().run_in_executor(None, target)
            ip, mapped_port = target[0], int(target[1])
            ip_family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            return [
                {
                    "hostname": host,
                    "host": ip,
                    "port": mapped_port,
                    "family": ip_family,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                }
            ]

        async def close(self) -> None:
            if self._fallback is not None and self._own_fallback:
                await self._fallback.close()

    HostMapResolver.__module__ = __name__
    return HostMapResolver


def __getattr__(name: str):
    # HostMapResolver subclasses aiohttp's AbstractResolver, so it is built on
    # first access to keep ``import zvhsign.testpki`` free of aiohttp.
    if name == "HostMapResolver":
        cls = _host_map_resolver_class()
        globals()["HostMapResolver"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_client_session(host_map: HostMap, **session_kwargs) -> aiohttp.ClientSession:
    """An :class:`aiohttp.ClientSession` whose connector resolves the names in
    ``host_map`` via :class:`HostMapResolver`. Call inside a running event loop;
    the caller closes the session (``async with`` works)."""
    import aiohttp

    resolver_cls = globals().get("HostMapResolver") or __getattr__("HostMapResolver")
    connector = aiohttp.TCPConnector(resolver=resolver_cls(host_map))
    return aiohttp.ClientSession(connector=connector, **session_kwargs)
