"""The TypeScript types of the API (``clients/typescript/qaward.d.ts``), generated from ``openapi/openapi.json``.

``openapi-typescript`` (npm, pinned in ``clients/typescript/package-lock.json``) writes them; a frontend
imports ``paths``/``components`` from the file. ``qaward openapi`` regenerates both files in one go;
``qaward client-types [--check]`` only the types (``--check``: exit 1 when the file has drifted).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CLIENT_DIR = Path(__file__).resolve().parents[1] / "clients" / "typescript"
TYPES_FILE = CLIENT_DIR / "qaward.d.ts"


def npm() -> str | None:
    return shutil.which("npm")


def generate(*, check: bool = False) -> int:
    """Write (or with ``check`` compare) the types file; installs the pinned generator first if needed.

    The exit code of the generator (1: drifted, with ``check``); 2 without npm."""
    tool = npm()
    if tool is None:
        return 2
    if not (CLIENT_DIR / "node_modules" / ".bin" / "openapi-typescript").exists():
        # exactly the versions of the lock; no install scripts (nothing downloads browsers or binaries)
        subprocess.run([tool, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=CLIENT_DIR, check=True)
    return subprocess.run([tool, "run", "--silent", "check" if check else "generate"], cwd=CLIENT_DIR).returncode
