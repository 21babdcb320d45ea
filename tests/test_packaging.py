"""The package as the Dockerfile and `uvx` install it: a wheel into a fresh environment, nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.timeout(300)


def test_wheel_installs_and_serves_on_its_own(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)],
        check=True,
        timeout=240,
    )
    (wheel,) = wheels.glob("jobmojito_mcp-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA")))
        names = set(archive.namelist())
    # The data the package reads at run time: the schemas served (else generated at every start),
    # the sandbox's contract, the typing marker.
    data = {
        "jobmojito_mcp/tooling/listing.json",
        "jobmojito_mcp/sandbox/contract.json",
        "jobmojito_mcp/py.typed",
    }
    assert data <= names, data - names
    # An SPDX expression (PEP 639), not the deprecated license table pip warns about.
    assert b"\nLicense-Expression: MIT\n" in metadata
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=240)
    # Run from an empty directory, so nothing from the source tree can be imported by accident.
    done = subprocess.run(
        [env_dir / "bin" / "jobmojito-mcp", "--sandbox", "call", "list_avatars", "limit=1"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Use a template's id" in done.stdout
    version = subprocess.run(
        [python, "-m", "jobmojito_mcp", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("jobmojito-mcp ")


def test_documented_commands_use_the_setup_venv() -> None:
    """Every interpreter or entry point the docs tell a reader to run is the `.venv` the set-up creates
    (or, for a client's configuration without `uv`, the one environment the README installs into)."""
    documents = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "tests" / "perf" / "bench.py",
    ]
    commands = [
        (path.name, found.group(0))
        for path in documents
        for found in re.finditer(r"[\w./-]*/bin/(?:python3?|pip|jobmojito-mcp)\b", path.read_text("utf-8"))
    ]
    assert commands, "the docs name no commands: the pattern is wrong"
    strays = [
        (name, command)
        for name, command in commands
        # the checkout's `.venv`, or the environment of its own the README's pip install creates
        if not re.match(r"(/path/to/jobmojito-mcp/)?\.venv/|(/home/you)?/\.venvs/jobmojito/", command)
    ]
    assert not strays, strays
