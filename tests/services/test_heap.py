"""A command's set-up is set apart from the cyclic collector once (services/heap.py): where
the process is the command's own (the CLI, a pool worker), once, when the pipeline starts on
its first file; a library caller's collector is left alone; collection goes on after it.
Each check runs in a fresh interpreter (what it checks is a process's state)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def _python(code: str, *args: str, env: dict | None = None) -> list[str]:
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True,
                       text=True, timeout=300, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def test_it_freezes_once_and_only_in_a_process_that_allowed_it():
    out = _python("""
        import gc, os, sys
        from zvhsign.services import heap
        print(heap.settle(), gc.get_freeze_count())       # a library caller: nothing frozen
        heap.allow()
        print(heap.settle(), gc.get_freeze_count() > 0)   # allowed: frozen now
        before = gc.get_freeze_count()
        more = [[n] for n in range(1000)]
        print(heap.settle(), gc.get_freeze_count() == before)  # once per process
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # a forked child is not allowed by its parent's allowance, but may allow
            first = heap.settle()
            heap.allow()
            os.write(1, f"{first} {heap.settle()}\\n".encode())
            os._exit(0)
        os.waitpid(pid, 0)
        print(gc.isenabled(), gc.get_threshold() == (700, 10, 10))  # collection goes on
    """)
    assert out == ["False", "0", "True", "True", "False", "True", "False", "True", "True", "True"]


def test_a_command_settles_before_its_first_file_and_judges_the_same(approved, signed_convenant):
    """``zvhsign verify`` of two copies in one process: frozen before the first file (the
    imported modules: tens of thousands of objects), not again for the second, collector on;
    both verified as by the library (the session's own verdicts)."""
    from zvhsign.services.operations import verify

    assert verify(approved.ws, [signed_convenant, signed_convenant]).all_verified
    out = _python("""
        import asyncio, gc, sys
        from zvhsign.cli import main
        from zvhsign.services import pipeline
        seen, examine = [], pipeline.Pipeline.examine

        async def spy(self, rt, copy, **kw):
            seen.append(gc.get_freeze_count())
            return await examine(self, rt, copy, **kw)

        pipeline.Pipeline.examine = spy
        try:
            main(sys.argv[1:])
        except SystemExit as done:
            code = done.code
        print(code, *seen, gc.get_freeze_count(), gc.isenabled())
    """, "-w", str(approved.ws.root), "verify", "--jobs", "1", "--no-cache", str(signed_convenant),
         str(signed_convenant), env={**os.environ, "ZVHSIGN_LANG": "en"})
    code, first, second, end, enabled = out[-5:]
    assert code == "0"
    assert int(first) == 0  # the pipeline settles on its first file, not before
    assert int(second) > 20_000  # the imported modules and the set-up, before the first file's work
    assert int(end) <= int(second)  # not again (what was frozen may die since, nothing is added)
    assert enabled == "True"
