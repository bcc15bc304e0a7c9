"""Issue 18: the TypeScript types a frontend builds on are generated from the contract and kept in step
with it (`qaward client-types --check`, like the OpenAPI file's drift test); `.ci/run` installs the
pinned generator (`npm ci`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app import client_types

pytestmark = [
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (.ci/run needs it)"),
    pytest.mark.skipif(
        not (client_types.CLIENT_DIR / "node_modules" / ".bin" / "openapi-typescript").exists(),
        reason="the generator is not installed: `npm ci --ignore-scripts` in clients/typescript (.ci/run does)",
    ),
]


def _npm(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["npm", "run", "--silent", script], cwd=client_types.CLIENT_DIR, capture_output=True, text=True, timeout=300
    )


def test_the_typescript_types_are_those_the_openapi_file_generates():
    done = _npm("check")
    assert done.returncode == 0, f"run `qaward client-types`: {done.stdout}{done.stderr}"


def test_a_frontend_module_type_checks_against_the_generated_types():
    text = client_types.TYPES_FILE.read_text(encoding="utf-8")
    assert '"/api/v1/programmes/{code}/events"' in text and "allowed_events" in text
    done = _npm("typecheck")
    assert done.returncode == 0, done.stdout + done.stderr
