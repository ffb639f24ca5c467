"""The docs match the code: generated references are current, the public API is documented,
and every block of the quickstart runs (python in a real kernel, bash in a shell)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import jupyter_mlops
from tests.conftest import ROOT

DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
import generate  # noqa: E402  (docs/generate.py)


def test_generated_references_are_current():
    stale = [name for name, text in (("cli.md", generate.cli_reference()),
                                     ("magics.md", generate.magics_reference()),
                                     ("api.md", generate.api_reference()),
                                     ("sql.md", generate.sql_reference()))
             if (DOCS / name).read_text() != text]
    assert not stale, f"run `python docs/generate.py`: stale {stale}"


def test_every_public_name_is_in_the_api_reference():
    documented = {name for names in generate.API.values() for name in names}
    public = set(jupyter_mlops.__all__) - {"__version__", "jobs", "lineage", "widgets"}
    assert public <= documented, public - documented


def _blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(python|bash)\n(.*?)```", text, re.S)


def test_the_quickstart_runs(store, kernel_factory, tmp_path):
    blocks = _blocks((DOCS / "quickstart.md").read_text())
    assert [lang for lang, _ in blocks].count("python") >= 4
    kernel = kernel_factory()
    makefile = (ROOT / "Makefile").read_text()
    for lang, code in blocks:
        if lang == "python":
            reply = kernel.run(code)
            assert reply["status"] == "ok", (code, reply.get("traceback"))
            continue
        for line in code.strip().splitlines():
            command = line.split("#")[0].strip()
            if command.startswith("make "):  # run by CI itself and by tests/test_demo.py
                assert re.search(rf"^{command.split()[1]}:", makefile, re.M), command
                continue
            args = shlex.split(command)
            assert args[:2] == ["jupyter", "mlops"], command
            exe = Path(sys.executable).parent / "jupyter-mlops"
            done = subprocess.run([str(exe), *args[2:]], capture_output=True, text=True,
                                  cwd=ROOT, timeout=300)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
    kernel.shutdown()


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_links_between_pages_resolve(page):
    for target in re.findall(r"\]\(([a-z_]+\.md)(?:#[^)]*)?\)", (DOCS / page).read_text()):
        assert (DOCS / target).exists(), f"{page} links to missing {target}"
