"""The single exception root of zvhsign.

Every error zvhsign raises on purpose derives from :class:`ZvhsignError` and
carries a human diagnostic (what went wrong, and where useful what to do about
it) and the process exit code the CLI maps it to:

* 1 -- findings: the input was judged and found wanting (e.g. ``sign`` refuses a
  copy that is not an approved version);
* 2 -- usage: the command was called wrongly (bad option, no workspace);
* 3 -- could not complete: unreadable input, unreachable service, bad key.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


class ZvhsignError(Exception):
    """Root of all zvhsign errors. ``str(err)`` is the one-line diagnostic."""

    exit_code: int = EXIT_INCOMPLETE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostic(self) -> str:
        """The message plus, when known, a hint on what to do next."""
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UsageError(ZvhsignError):
    """The command was called wrongly (exit 2)."""

    exit_code = EXIT_USAGE


class WorkspaceError(UsageError):
    """No workspace, or its configuration is unusable (exit 2)."""


class InputError(ZvhsignError):
    """An input file can't be read or is not what it claims to be (exit 3)."""


class SigningKeyError(ZvhsignError):
    """A signing key or certificate can't be loaded (wrong passphrase, bad file)."""


class ServiceError(ZvhsignError):
    """A network service (TSA, OCSP, CRL) did not answer usefully (exit 3)."""


class RegistryError(ZvhsignError):
    """The registry database can't be reached, is locked, or is inconsistent (exit 3)."""


class RefusedError(ZvhsignError):
    """zvhsign judged the input and refuses to act on it (exit 1)."""

    exit_code = EXIT_FINDINGS


class PolicyError(ZvhsignError):
    """A verification policy is unusable, e.g. an empty rule set (fails closed)."""
