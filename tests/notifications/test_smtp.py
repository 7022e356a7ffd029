"""SMTP_URL, SMTP_FROM and REMINDER_POLL_SECONDS: what is accepted, one-line errors that never repeat
the password, and a target whose password stays out of reprs and log lines."""

import pytest

from todo_app.config import ConfigError, Settings, load_settings
from todo_app.notifications.smtp import SmtpTarget, check_sender, one_line, parse_smtp_url

SECRET = "s3cr3t-pa55"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", SmtpTarget("mail.example.com", 25, False)),
        ("smtp://127.0.0.1:2525", SmtpTarget("127.0.0.1", 2525, False)),
        ("SMTP://Mail.Example.com:587/", SmtpTarget("mail.example.com", 587, False)),
        ("smtps://mail.example.com", SmtpTarget("mail.example.com", 465, True)),
        (
            f"smtps://me:{SECRET}@mail.example.com:465",
            SmtpTarget("mail.example.com", 465, True, "me", SECRET),
        ),
        ("smtp://me%40example.com:p%3Ass@[::1]:25", SmtpTarget("::1", 25, False, "me@example.com", "p:ss")),
        ("smtp://me@mail.example.com", SmtpTarget("mail.example.com", 25, False, "me", None)),
    ],
)
def test_smtp_urls(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"http://me:{SECRET}@mail.example.com", "must start with smtp:// or smtps://"),
        (f"smtps://me:{SECRET}@", "names no host"),
        (f"smtps://me:{SECRET}@mail.example.com/inbox", "takes no path or query"),
        (f"smtps://me:{SECRET}@mail.example.com?tls=1", "takes no path or query"),
        (f"smtps://:{SECRET}@mail.example.com", "has a password but no user name"),
        (f"smtps://me:{SECRET}@mail.example.com:99999", "not a URL like"),
        (f"smtps://me:{SECRET}@mail.example.com:port", "not a URL like"),
        ("mail.example.com", "must start with smtp:// or smtps://"),
    ],
)
def test_bad_smtp_urls_are_one_line_errors_without_the_password(monkeypatch, url, message):
    with pytest.raises(ValueError, match=message) as error:
        parse_smtp_url(url)
    assert SECRET not in str(error.value)
    monkeypatch.setenv("SMTP_URL", url)
    monkeypatch.setenv("SMTP_FROM", "todo@example.com")
    with pytest.raises(ConfigError) as config_error:
        load_settings()
    assert str(config_error.value) == f"SMTP_URL: {error.value}"
    assert SECRET not in str(config_error.value)


def test_the_password_stays_out_of_reprs(monkeypatch):
    monkeypatch.setenv("SMTP_URL", f"smtps://me:{SECRET}@mail.example.com")
    monkeypatch.setenv("SMTP_FROM", "Todo <todo@example.com>")
    settings = load_settings()
    target = settings.smtp_target
    assert target is not None
    assert target.password == SECRET
    for shown in (repr(settings), str(settings), repr(target), str(target), str(settings.model_dump())):
        assert SECRET not in shown
    assert str(target) == "smtps://mail.example.com:465"
    assert settings.smtp_from == "Todo <todo@example.com>"
    assert settings.reminder_poll_seconds == 15


def test_emails_are_off_by_default_and_need_both_settings(monkeypatch):
    settings = load_settings()
    assert (settings.smtp_url, settings.smtp_from, settings.smtp_target) == (None, None, None)
    monkeypatch.setenv("SMTP_URL", "  ")  # blank is unset
    assert load_settings().smtp_url is None
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.com")
    with pytest.raises(ConfigError, match="SMTP_URL and SMTP_FROM go together"):
        load_settings()
    monkeypatch.delenv("SMTP_URL")
    monkeypatch.setenv("SMTP_FROM", "todo@example.com")
    with pytest.raises(ConfigError, match="SMTP_URL and SMTP_FROM go together"):
        load_settings()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("todo", "SMTP_FROM: is not an address"),
        ("Todo <todo@>", "SMTP_FROM: is not an address"),
        ("todo@example.com\r\nBcc: x@example.com", "SMTP_FROM: must be one line"),
    ],
)
def test_bad_senders(monkeypatch, value, message):
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.com")
    monkeypatch.setenv("SMTP_FROM", value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


@pytest.mark.parametrize("value", ["0", "-1", "3601", "soon"])
def test_bad_poll_intervals(monkeypatch, value):
    monkeypatch.setenv("REMINDER_POLL_SECONDS", value)
    with pytest.raises(ConfigError, match="REMINDER_POLL_SECONDS"):
        load_settings()


def test_senders_and_one_line_subjects():
    assert check_sender(" todo@example.com ") == "todo@example.com"
    assert check_sender('"Todo app" <todo@example.com>') == '"Todo app" <todo@example.com>'
    assert one_line("a\r\nb\tc\x0bd\u2028e\u00a0 f  ") == "a b c d e f"
    assert one_line("\n\n") == ""
