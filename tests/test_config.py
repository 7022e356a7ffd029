"""Settings: the zero-configuration SQLite default and the rules for JWT_SECRET."""

import stat
from pathlib import Path

import pytest

from todo_app.config import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_embedded_default_generates_a_private_secret_once(tmp_path, caplog):
    settings = load_settings(data_dir=tmp_path / "data")
    secret_file = tmp_path / "data" / "jwt_secret"
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'todo.db'}"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert settings.jwt_secret.get_secret_value() == secret_file.read_text().strip()
    assert len(secret_file.read_text().strip()) >= 32
    assert "JWT_SECRET is not set" in caplog.text
    again = load_settings(data_dir=tmp_path / "data")
    assert again.jwt_secret.get_secret_value() == settings.jwt_secret.get_secret_value()


def test_default_data_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    settings = load_settings()
    assert (
        Path(settings.effective_database_url.removeprefix("sqlite:///")).parent
        == tmp_path / "xdg" / "todo-app"
    )


def test_secret_is_required_with_an_explicit_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example.com/neondb")
    with pytest.raises(ConfigError, match="JWT_SECRET is required"):
        load_settings(data_dir=tmp_path)
    assert not (tmp_path / "jwt_secret").exists()


def test_short_secret_is_refused(monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "x" * 31)
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_settings()
    monkeypatch.setenv("JWT_SECRET", "é" * 16)  # 16 characters but 32 bytes
    assert load_settings().jwt_secret.get_secret_value() == "é" * 16


def test_environment_values(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("JWT_SECRET", "s" * 40)
    monkeypatch.setenv("JWT_EXPIRE_DAYS", "3")
    monkeypatch.setenv("BCRYPT_ROUNDS", "5")
    settings = load_settings()
    assert (settings.jwt_expire_days, settings.bcrypt_rounds) == (3, 5)


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("JWT_SECRET=" + "d" * 40 + "\nBCRYPT_ROUNDS=6\n")
    settings = load_settings()
    assert settings.jwt_secret.get_secret_value() == "d" * 40
    assert settings.bcrypt_rounds == 6


def test_security_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "s" * 40)
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32")
    monkeypatch.setenv("CORS_ORIGINS", "http://localhost:3000,https://todo.example.com")
    monkeypatch.setenv("RATE_LIMIT_LOGIN_FAILURES", "0")
    monkeypatch.setenv("JWT_SECRET_PREVIOUS", "p" * 40)
    settings = load_settings()
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "2001:db8::/32"]
    assert settings.cors_origins == ["http://localhost:3000", "https://todo.example.com"]
    assert settings.rate_limit_login_failures == 0
    assert settings.jwt_keys == ["s" * 40, "p" * 40]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRUSTED_PROXIES", "not-a-network", "TRUSTED_PROXIES"),
        ("CORS_ORIGINS", "*", "CORS_ORIGINS"),
        ("CORS_ORIGINS", "localhost:3000", "CORS_ORIGINS"),
        ("JWT_SECRET_PREVIOUS", "short", "JWT_SECRET_PREVIOUS is too short"),
        ("RATE_LIMIT_AUTH_PER_MINUTE", "-1", "RATE_LIMIT_AUTH_PER_MINUTE"),
    ],
)
def test_bad_security_settings_are_one_line_errors(monkeypatch, name, value, message):
    monkeypatch.setenv("JWT_SECRET", "s" * 40)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as excinfo:
        load_settings()
    assert "\n" not in str(excinfo.value)
