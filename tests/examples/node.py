"""Node.js for the tests of the example clients in examples/ (README, "Example clients").

``npm_installed(folder)`` runs ``npm ci`` in ``folder`` once per change of its
``package-lock.json`` (and of the Node version): ``node_modules`` is kept between runs with a
stamp of what it was installed from, and concurrent pytest-xdist workers take a file lock so
one installs while the others wait. Node and npm are required (CI installs them, ``.ci/run``);
their absence fails the test with what to install, never skips it.
"""

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TYPESCRIPT_EXAMPLE = ROOT / "examples" / "typescript"
STAMP_NAME = ".resolutionflow-installed"


def node_tools() -> tuple[str, str]:
    """The paths of ``node`` and ``npm``; fails the test when either is missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("The example client tests need Node.js 20+ and npm (apt-get install -y nodejs npm).")
    return node, npm


def run(args: list[str], *, cwd: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a command; its output is returned (never raises on a non-zero exit)."""
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _install_stamp(folder: Path, node: str) -> str:
    version = run([node, "--version"], cwd=folder).stdout.strip()
    lock = hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()
    return f"node {version}\npackage-lock.json sha256 {lock}\n"


def npm_installed(folder: Path) -> Path:
    """``folder/node_modules`` installed with ``npm ci`` from the committed lock file."""
    node, npm = node_tools()
    stamp = folder / "node_modules" / STAMP_NAME
    wanted = _install_stamp(folder, node)
    with open(folder / ".npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != wanted:
            done = run([npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=folder, timeout=600)
            if done.returncode != 0:
                pytest.fail(f"npm ci in {folder} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
            stamp.write_text(wanted)
    return folder / "node_modules"
