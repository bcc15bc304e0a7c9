"""``qaward keys``: development key versions under the data folder, ``status`` and ``rotate`` (issue #13)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.cli import main
from app.config import Settings, get_settings
from app.domain.keys.keyring import keyring, new_development_version


@pytest.mark.no_database
def test_development_adds_versions_under_the_data_folder_and_the_newest_is_current(tmp_path):
    settings = Settings(environment="development", data_dir=tmp_path)
    first = keyring(settings)
    assert first.current == 1 and set(first.secrets) == {1}  # version 1: the personal data key
    assert new_development_version(settings) == 2 and new_development_version(settings) == 3
    ring = keyring(settings)
    assert ring.current == 3 and set(ring.secrets) == {1, 2, 3} and ring.retired == [1, 2]
    assert (tmp_path / "encryption-keys" / "3").stat().st_mode & 0o777 == 0o600
    assert ring.secrets[1] == first.secrets[1]
    listed = Settings(environment="development", data_dir=tmp_path, encryption_keys={1: SecretStr("x" * 32)})
    with pytest.raises(ValueError, match="QAWARD_ENCRYPTION_KEYS"):
        new_development_version(listed)


def test_keys_status_and_rotate_from_the_command_line(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QAWARD_ENVIRONMENT", "test")
    monkeypatch.setenv("QAWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("QAWARD_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert main(["keys", "new"]) == 0
        assert main(["keys", "rotate"]) == 0
        assert main(["keys", "status"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "rotated to version 2: 0 ID numbers, 0 files" in out
    assert "nothing is left under versions [1]" in out
    assert "current version 2; configured [1, 2]" in out
