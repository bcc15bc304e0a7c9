"""The compose profile ``replicas`` (two app replicas behind nginx, a streaming standby) is consistent:
nginx balances exactly the replica services, which are reachable only through it, read from the
standby and keep their files in one shared folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.no_database


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_nginx_balances_the_replica_services_of_the_profile():
    services = _compose()["services"]
    in_profile = {name for name, s in services.items() if "replicas" in s.get("profiles", [])}
    assert {"nginx", "db-replica", "app-a", "app-b"} <= in_profile
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    upstream = set(re.findall(r"^\s*server\s+([\w-]+):8000\b", conf, re.M))
    assert upstream == {"app-a", "app-b"}
    assert set(services["nginx"]["depends_on"]) == upstream
    mounted = [v.split(":")[0] for v in services["nginx"]["volumes"]]
    assert "./deploy/nginx.conf" in mounted


def test_replicas_read_the_standby_trust_only_the_proxy_and_share_files():
    services = _compose()["services"]
    for name in ("app-a", "app-b"):
        s = services[name]
        assert "ports" not in s, f"{name} must be reached through nginx only"
        assert "@db-replica:5432/" in s["environment"]["QAWARD_READ_DATABASE_URL"]
        assert "@db:5432/" in s["environment"]["QAWARD_DATABASE_URL"]
        assert s["environment"]["QAWARD_ENVIRONMENT"] == "production"
        assert "--forwarded-allow-ips" in s["command"]
        assert "appdata:/var/lib/qaward" in s["volumes"]
    for script in ("deploy/postgres/standby.sh", "deploy/postgres/initdb-replication.sh"):
        assert (ROOT / script).is_file()
    assert "pg_basebackup" in (ROOT / "deploy/postgres/standby.sh").read_text(encoding="utf-8")
