"""Creating a workspace (``zvhsign init``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import UsageError, WorkspaceError
from .workspace import CONFIG_NAME, NO_TSA_NOTE, Workspace, load_workspace, render_config


def init_workspace(
    directory: Path,
    *,
    trust_roots: list[Path],
    secretariat: list[Path],
    other_certs: list[Path] = (),
    tsa_url: str | None = None,
    database_url: str | None = None,
    test_pki: bool = False,
    responsible_name: str | None = None,
    responsible_function: str | None = None,
    lotl_signers: list[Path] = (),
) -> Workspace:
    """Create ``directory`` as a workspace: config, copied trust certificates, registry.
    ``responsible_name`` / ``responsible_function``: the official the audit report names."""
    from ..registry import Registry

    directory = Path(directory)
    if (directory / CONFIG_NAME).exists():
        raise WorkspaceError(f"{directory} is already a workspace ({CONFIG_NAME} exists)")
    if not trust_roots:
        raise UsageError("at least one trust root is needed (--trust-root, or --test-pki)")
    if not secretariat:
        raise UsageError("at least one secretariat certificate is needed (--secretariat, or --test-pki)")
    from ..pdf.trust import check_certificate_file

    for p in [*trust_roots, *secretariat, *other_certs]:
        if not Path(p).is_file():
            raise UsageError(f"certificate file {p} does not exist")
        check_certificate_file(p)  # before anything is created
    directory.mkdir(parents=True, exist_ok=True)
    trust_dir = directory / "trust"
    trust_dir.mkdir(exist_ok=True)

    def copy(paths) -> list[str]:
        names = []
        for p in paths:
            shutil.copyfile(p, trust_dir / Path(p).name)
            names.append(f"trust/{Path(p).name}")
        return names

    text = render_config(
        database_url=database_url or "sqlite:///zvhsign.db",
        trust_roots=copy(trust_roots),
        secretariat=copy(secretariat),
        other_certs=copy(other_certs),
        tsa_url=tsa_url,
        test_pki=test_pki,
        responsible_name=responsible_name,
        responsible_function=responsible_function,
        lotl_signers=copy(lotl_signers),
    )
    tmp = directory / (CONFIG_NAME + ".partial")
    tmp.write_text(text, encoding="utf-8")
    ws_probe = None
    try:
        tmp.replace(directory / CONFIG_NAME)
        ws_probe = load_workspace(directory)
        from ..domain.digests import Sha256

        from .registry_access import trust_snapshot

        # the trust settings go into the first event, so later changes show as `config` events
        Registry.create(
            ws_probe.config.database_url,
            details={"config_sha256": Sha256.of(text.encode("utf-8")).hex, **trust_snapshot(ws_probe)},
        ).close()
    except BaseException:
        if ws_probe is None or not Path(directory / CONFIG_NAME).exists():
            raise
        (directory / CONFIG_NAME).unlink(missing_ok=True)
        raise
    return ws_probe


def workspace_notes(ws: Workspace) -> list[str]:
    """What an operator should know about a new (or any) workspace, one line each:
    ``zvhsign init`` prints these after "workspace ready"."""
    notes = []
    if not ws.config.tsa_url:
        notes.append(NO_TSA_NOTE)
    if ws.config.test_pki:
        notes.append("TEST ONLY: this workspace trusts the bundled ZVH Test PKI; never use it in production.")
    return notes


def init_test_workspace(directory: Path, *, database_url: str | None = None,
                        responsible_name: str | None = None,
                        responsible_function: str | None = None) -> Workspace:
    """A workspace on the bundled ZVH Test PKI (TEST ONLY)."""
    from ..testpki import TSA_URL, certs_dir

    out = certs_dir() / "out"
    return init_workspace(
        directory,
        trust_roots=[out / "zvh-root.cert.pem"],
        secretariat=[out / "secretariaat.cert.pem"],
        other_certs=[out / "zvh-ca.cert.pem"],
        tsa_url=TSA_URL,
        database_url=database_url,
        test_pki=True,
        responsible_name=responsible_name,
        responsible_function=responsible_function,
        lotl_signers=[out / "lotl-signer.cert.pem"],
    )
