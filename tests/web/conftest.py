"""The web page's test world: a workspace with partners and recorded copies (real
signatures by the test PKI), the page served by uvicorn on 127.0.0.1 in a thread,
and Debian's headless Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from zvhsign.domain.documents import DocumentKind
from zvhsign.testpki import certs_dir

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
DOCS = REPO / "docs"
PASSWORDS = {"secretariaat": "geheim-secretariaat-2026", "om": "geheim-om-partner-2026",
             "politie": "geheim-politie-partner-2026"}


def p12(label: str) -> Path:
    return certs_dir() / "out" / f"{label}.p12"


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def content_changed_after_signing(signed: bytes) -> bytes:
    """A red box drawn on page 1 in an incremental update after the signatures."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    ref = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 72 600 450 60 re f Q\n"))
    writer.add_stream_to_page(0, ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class WebWorld:
    root: Path
    ws: object
    recorded: tuple[Path, ...]  # OM's two copies and the police's covenant copy, recorded
    valid: Path  # RvdK's covenant copy (not recorded)
    rvdk_protocol: Path  # RvdK's protocol copy (its covenant copy is `valid`)
    politie_protocol: Path  # not recorded: the secretariat records it in a test
    tampered: Path  # RvdK's covenant copy with page content changed after signing
    mayor_without_mandate: Path  # Haarlem's mayor signed with no mandate registered
    not_pdf: Path

    @property
    def mixed(self) -> list[Path]:
        return [self.valid, self.rvdk_protocol, self.tampered, self.mayor_without_mandate, self.not_pdf]


@pytest.fixture(scope="session")
def web_world(tmp_path_factory, passphrase, unchecked_signer) -> WebWorld:
    from zvhsign.services import governance as gov
    from zvhsign.services.keys import KeySource
    from zvhsign.services.operations import approve, stamp, verify
    from zvhsign.services.setup import init_test_workspace
    from zvhsign.services.signing import sign

    root = tmp_path_factory.mktemp("web")
    ws = init_test_workspace(root / "ws", responsible_name="J. de Vries",
                             responsible_function="Functionaris voor de gegevensbescherming")

    def key(label: str) -> KeySource:
        return KeySource(pkcs12=p12(label), passphrase=passphrase)

    approved = {}
    for doc, name in ((DocumentKind.CONVENANT, "samenwerkingsconvenant-1.0.pdf"),
                      (DocumentKind.PROTOCOL, "privacyprotocol-1.0.pdf")):
        stamp(FIXTURES / name, doc, "1.0", root / f"{doc.value}-gestempeld.pdf")
        approved[doc] = root / f"{doc.value}-1.0.pdf"
        approve(ws, root / f"{doc.value}-gestempeld.pdf", key("secretariaat"), approved[doc],
                decided_on=date(2026, 11, 2))
    gov.write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    gov.import_partners(ws, root / "partners.toml")
    conv, prot = approved[DocumentKind.CONVENANT], approved[DocumentKind.PROTOCOL]

    def signed(src: Path, label: str) -> Path:
        out = root / f"{src.stem}-{label}.pdf"
        sign(ws, src, key(label), out)
        return out

    recorded = (signed(conv, "om"), signed(prot, "om"), signed(conv, "politie"))
    verify(ws, list(recorded), record=True)
    valid = signed(conv, "rvdk")
    rvdk_protocol = signed(prot, "rvdk")
    politie_protocol = signed(prot, "politie")
    tampered = root / "convenant-1.0-rvdk-gewijzigd.pdf"
    tampered.write_bytes(content_changed_after_signing(valid.read_bytes()))
    mayor = unchecked_signer(ws, conv, key("haarlem-burgemeester"), root / "convenant-1.0-haarlem.pdf")
    not_pdf = root / "handtekening.docx"
    not_pdf.write_bytes(b"PK\x03\x04 dit is een Word-bestand, geen PDF\n" * 10)
    return WebWorld(root, ws, recorded, valid, rvdk_protocol, politie_protocol, tampered, mayor, not_pdf)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedApp:
    """The app served by uvicorn on 127.0.0.1 in a thread, until stopped."""

    def __init__(self, app) -> None:  # noqa: ANN001
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, access_log=False,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServedApp:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture(scope="session")
def accounts():
    from zvhsign.web.accounts import PARTNER, SECRETARIAT, Account, hash_password

    return {
        "secretariaat": Account("secretariaat", SECRETARIAT, hash_password(PASSWORDS["secretariaat"])),
        "om": Account("om", PARTNER, hash_password(PASSWORDS["om"]), partner="om"),
        "politie": Account("politie", PARTNER, hash_password(PASSWORDS["politie"]), partner="politie"),
    }


@pytest.fixture(scope="session")
def local_site(web_world):
    """The page as `zvhsign serve` starts it on 127.0.0.1 without accounts."""
    from zvhsign.web import create_app

    with ServedApp(create_app(web_world.ws)) as served:
        yield served


@pytest.fixture(scope="session")
def account_site(web_world, accounts):
    """The page with a secretariat account and two partner accounts (OM, politie)."""
    from zvhsign.web import create_app

    with ServedApp(create_app(web_world.ws, accounts)) as served:
        yield served


@pytest.fixture(scope="module")
def browser(web_world, local_site, account_site):
    """Chromium, started after the world is built and stopped after each module: while
    Playwright's sync API runs it keeps an event loop running in this thread, where
    asyncio.run (the services, other tests on this worker) can't run."""
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="nl-NL")
    pg = context.new_page()
    pg.set_default_timeout(180_000)  # a batch is judged for real (TSA/OCSP on 127.0.0.1)
    yield pg
    context.close()


def screenshot(pg, name: str) -> None:
    """Write docs/<name> from a test, only when ZVHSIGN_WRITE_SCREENSHOTS=1."""
    if os.environ.get("ZVHSIGN_WRITE_SCREENSHOTS") == "1":
        pg.screenshot(path=str(DOCS / name), full_page=True)


def login(pg, site, name: str) -> None:
    pg.goto(f"{site.url}/inloggen")
    pg.fill("input[name=naam]", name)
    pg.fill("input[name=wachtwoord]", PASSWORDS[name])
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{site.url}/inname")


def upload(pg, site, files) -> None:
    pg.goto(f"{site.url}/inname")
    pg.set_input_files("#bestanden", [str(f) for f in files])
    pg.click("#beoordelen")
    pg.wait_for_selector("article.copy")


class UI:
    """Helpers for the browser tests (test modules are imported with importlib)."""

    passwords = PASSWORDS
    screenshot = staticmethod(screenshot)
    login = staticmethod(login)
    upload = staticmethod(upload)


@pytest.fixture(scope="session")
def ui() -> UI:
    return UI()
