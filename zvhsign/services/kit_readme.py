"""LEESMIJ.txt of a partner kit: the steps a partner follows literally.

In the workspace's language (``[display] lang``, Dutch by default; English msgids,
the Dutch text in ``zvhsign/locale/nl/LC_MESSAGES/zvhsign.po``). Every command line
(indented five spaces) works when typed literally in a terminal, in the order
given, on a machine with Python 3.11; only the certificate file name
(``mijn-certificaat.p12``) stands for the signatory's own file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..domain.documents import ApprovedVersion
from ..i18n import _, using

__all__ = ["README_NAME", "kit_name", "readme", "signed_name", "certificate_placeholder"]

README_NAME = "LEESMIJ.txt"


def signed_name(pdf_name: str, partner: str | None) -> str:
    """The name LEESMIJ tells the partner to write: ``convenant-1.0-politie.pdf`` (the
    secretariat sees at a glance whose copy it is); ``…-getekend.pdf`` without a partner."""
    return pdf_name.removesuffix(".pdf") + (f"-{partner}.pdf" if partner else "-getekend.pdf")


def kit_name(partner: str) -> str:
    return f"kit-{partner}"


def certificate_placeholder() -> str:
    """The file name that stands for the signatory's own certificate, in the language spoken now."""
    # Translators: a file name (no spaces) standing for the signatory's own .p12 file
    return _("my-certificate.p12")


def _block(lines: list[str]) -> str:
    return "\n".join("     " + line for line in lines)


def readme(
    files: list[Path], versions: list[ApprovedVersion], mandates: Sequence[Path] = (), *,
    partner=None, wheel: str | None = None, archive: str | None = None,  # noqa: ANN001
    lang: str | None = None,
) -> str:
    """LEESMIJ.txt for the copies ``files`` (in force) and ``versions`` (all recorded), in
    ``lang`` (the workspace's ``[display] lang``; ``$ZVHSIGN_LANG`` overrides it)."""
    with using(lang):
        return _readme(files, versions, mandates, partner=partner, wheel=wheel, archive=archive)


def _readme(files, versions, mandates, *, partner, wheel, archive) -> str:  # noqa: ANN001
    key = partner.key if partner is not None else None
    cert = certificate_placeholder()
    names = "\n".join(f"  - {f.name}" for f in files)
    outs = [signed_name(f.name, key) for f in files] or [signed_name("convenant-1.0.pdf", key)]
    ins = [f.name for f in files] or ["convenant-1.0.pdf"]
    listed = "\n".join(
        f"  - {v.document.value} {v.version}: SHA-256 {v.approved_sha256.hex}"
        + (" " + _("(superseded by {version})").format(version=v.superseded_by) if v.superseded_by else "")
        for v in versions
    )
    folder = Path(archive).stem if archive else None
    if partner is not None:
        title = _("Signing for the Zorg- en Veiligheidshuis Kennemerland for {partner}").format(partner=partner.name)
    else:
        title = _("Signing for the Zorg- en Veiligheidshuis Kennemerland")

    unix, windows = [], []
    if archive:
        unix += [f"python3.11 -m zipfile -e {archive} .", f"cd {folder}"]
        windows += [f"py -3.11 -m zipfile -e {archive} .", f"cd {folder}"]
    install_unix = ["python3.11 -m venv .venv"]
    install_win = ["py -3.11 -m venv .venv"]
    if wheel:
        install_unix.append(f".venv/bin/python -m pip install {wheel}")
        install_win.append(f".venv\\Scripts\\python -m pip install {wheel}")
    else:
        install_unix.append(".venv/bin/python -m pip install zvhsign")
        install_win.append(".venv\\Scripts\\python -m pip install zvhsign")
    sign_unix = [f".venv/bin/zvhsign sign {i} --key {cert} -o {o}" for i, o in zip(ins, outs)]
    sign_win = [f".venv\\Scripts\\zvhsign sign {i} --key {cert} -o {o}" for i, o in zip(ins, outs)]
    check_unix = [".venv/bin/zvhsign verify " + " ".join(outs)]
    check_win = [".venv\\Scripts\\zvhsign verify " + " ".join(outs)]

    step = 1
    parts = []
    if archive:
        parts.append(
            f"{step}. " + _("Open a terminal in the folder that holds {archive} and unpack it:").format(archive=archive)
            + f"\n{_block(unix)}"
        )
    else:
        parts.append(f"{step}. " + _("Open a terminal in this folder."))
    step += 1
    parts.append(
        f"{step}. " + _(
            "Install zvhsign in its own Python environment in this folder (once; Python 3.11\n"
            "   or newer is needed, pip fetches the packages it needs from pypi.org):"
        ) + f"\n{_block(install_unix)}"
    )
    step += 1
    mandate_text = ""
    if mandates:
        mandate_text = "\n" + _(
            "   If you sign as burgemeester on behalf of the College, add the signed\n"
            "   machtigingsbesluit of your municipality, for example:\n"
            "     --mandate {example}\n"
            "   (in the folder mandates/: {names})."
        ).format(example=Path(mandates[0]).as_posix(), names=", ".join(Path(m).name for m in mandates))
    parts.append(
        f"{step}. " + _(
            "Sign. {cert} stands for your own certificate file (.p12 or .pfx):\n"
            "   type the name or path of that file instead."
        ).format(cert=cert)
        + f"\n{_block(sign_unix)}\n"
        + _(
            "   zvhsign first shows what you are signing (document, version, your name and role) and\n"
            "   asks you to confirm: type y and Enter. Your passphrase is asked for, not on the\n"
            "   command line. With a smartcard or token: --pkcs11-module PATH --cert-label LABEL\n"
            "   instead of --key {cert}."
        ).format(cert=cert)
        + mandate_text
    )
    step += 1
    parts.append(
        f"{step}. " + _("Check your signed copies as the secretariat does:") + f"\n{_block(check_unix)}"
    )
    step += 1
    parts.append(f"{step}. " + _("Send {files} back to the secretariat.").format(files=(" " + _("and") + " ").join(outs)))

    win = _block(windows + install_win + sign_win + check_win)
    steps = "\n\n".join(parts)
    steps_head = _("Steps (Linux and macOS)")
    windows_head = "Windows"
    return "\n".join([
        title,
        "=" * len(title),
        "",
        _("This kit holds the approved versions to sign:"),
        names,
        "",
        steps_head,
        "-" * len(steps_head),
        "",
        steps,
        "",
        windows_head,
        "-" * len(windows_head),
        "",
        _("The same steps, in the Command Prompt or PowerShell:"),
        win,
        "",
        _(
            "Prefer Adobe Acrobat? That works too: sign the file in your own box on the page\n"
            "\"Digitale ondertekening\", save it under the name above ({name}) and change\n"
            "nothing else in the document."
        ).format(name=outs[0]),
        "",
        _(
            "This folder is also a zvhsign workspace: signing and checking happen here with the same\n"
            "trust settings, timestamp service and registry records as at the secretariat."
        ),
        "",
        _("Approved versions (for checking):"),
        listed,
        "",
    ])
