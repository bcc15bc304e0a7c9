"""The container files (issue 13): a HEALTHCHECK in the image; compose runs production with every
secret from the environment, never the development signing key."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
_VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")

pytestmark = pytest.mark.no_database


def _interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}`` (an error when unset)."""

    def one(m: re.Match) -> str:
        name, kind, arg = m.group(1), m.group(2), m.group(3)
        if env.get(name):
            return env[name]
        if kind == "?":
            raise KeyError(f"{name}: {arg}")
        return arg if kind == "-" else ""

    return _VARIABLE.sub(one, text)


def _app_environment(env: dict[str, str]) -> dict[str, str]:
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["app"]["environment"]
    return {k: _interpolate(str(v), env) for k, v in raw.items()}


PRODUCTION_ENV = {
    "POSTGRES_PASSWORD": "s3cretPassw0rd",
    "QAWARD_JWKS_URL": "https://idp.example.gov.cn/.well-known/jwks.json",
    "QAWARD_JWT_ISSUER": "https://idp.example.gov.cn",
    "QAWARD_PERSONAL_DATA_KEY": "k" * 40,
}


def test_compose_runs_production_with_its_secrets_from_the_environment():
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["app"]["environment"]
    assert raw["QAWARD_ENVIRONMENT"] == "production"
    for name in ("QAWARD_JWKS_URL", "QAWARD_JWT_ISSUER", "QAWARD_PERSONAL_DATA_KEY"):
        assert str(raw[name]).startswith("${" + name + ":?"), name  # required, no default
    assert "${POSTGRES_PASSWORD:?" in raw["QAWARD_DATABASE_URL"]
    text = (ROOT / "docker-compose.yml").read_text()
    assert "qaward-dev" not in text and "development" not in text
    settings = Settings(
        **{k.removeprefix("QAWARD_").lower(): v for k, v in _app_environment(PRODUCTION_ENV).items() if v}
    )
    assert settings.production and settings.jwks_url == PRODUCTION_ENV["QAWARD_JWKS_URL"]


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_compose_refuses_to_start_without_each_secret(missing):
    with pytest.raises(KeyError, match=missing):
        _app_environment({k: v for k, v in PRODUCTION_ENV.items() if k != missing})


def test_the_image_has_a_healthcheck_on_readiness():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("HEALTHCHECK"))
    cmd = line.split(" CMD ", 1)[1]
    exe, flag, code = yaml.safe_load(cmd)  # the exec form is a JSON array
    assert exe.endswith("python") and flag == "-c" and "/api/v1/ready" in code
    compile(code, "HEALTHCHECK", "exec")
    assert shlex.split(line)[1].startswith("--interval=")
