"""Configuration: defaults, .env file, and one clear line for a wrong value."""
import pytest

from bot.settings import SettingsError, load_settings


def test_defaults(tmp_path):
    settings = load_settings({}, env_file=None)
    assert settings.database_path == "./hotline.sqlite3"
    assert str(settings.timezone) == "Asia/Phnom_Penh"
    assert settings.staff_chat_id is None and not settings.staff_enabled
    assert settings.staff_user_ids == frozenset()
    assert settings.retention_days == 365
    assert load_settings({"RETENTION_DAYS": "90"}, env_file=None).retention_days == 90


def test_values_and_env_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text("# hotline\nBOT_TOKEN='123:abc'\nSTAFF_CHAT_ID=-1001234\nTIMEZONE=Asia/Bangkok\n")
    settings = load_settings({"STAFF_USER_IDS": "11, 12,13", "TIMEZONE": "UTC"}, env_file=env)
    assert settings.bot_token == "123:abc"
    assert settings.staff_chat_id == -1001234
    assert settings.staff_user_ids == {11, 12, 13}
    assert str(settings.timezone) == "UTC"  # the environment wins over .env


@pytest.mark.parametrize("name, value", [
    ("STAFF_CHAT_ID", "staff"),
    ("ADMIN_USER_IDS", "1,two"),
    ("STAFF_USER_IDS", "12;13"),
    ("TIMEZONE", "Mars/Olympus"),
    ("RETENTION_DAYS", "a year"),
    ("RETENTION_DAYS", "0"),
])
def test_a_wrong_value_names_the_variable(name, value):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value}, env_file=None)
    assert str(error.value).startswith(f"{name}:")
    assert "\n" not in str(error.value)


def test_broadcast_settings(tmp_path):
    settings = load_settings({}, env_file=None)
    assert settings.broadcast_rate == 25 and settings.broadcast_paid is False
    settings = load_settings({"BROADCAST_RATE": "1000", "BROADCAST_PAID": "yes"}, env_file=None)
    assert settings.broadcast_rate == 1000 and settings.broadcast_paid is True


@pytest.mark.parametrize("name, value", [
    ("BROADCAST_RATE", "fast"),
    ("BROADCAST_RATE", "0"),
    ("BROADCAST_RATE", "5000"),
    ("BROADCAST_PAID", "maybe"),
])
def test_a_wrong_broadcast_setting_names_the_variable(name, value):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value}, env_file=None)
    assert str(error.value).startswith(f"{name}:") and "\n" not in str(error.value)


WEBHOOK = {"WEBHOOK_URL": "https://bot.example.org/tg", "WEBHOOK_SECRET": "Abc_123-xyz"}


def test_secrets_never_show_in_repr_str_or_errors():
    settings = load_settings({"BOT_TOKEN": "123456:AAE-very-secret", **WEBHOOK}, env_file=None)
    for shown in (repr(settings), str(settings), f"{settings}"):
        assert "AAE-very-secret" not in shown and "123456" not in shown
        assert "Abc_123-xyz" not in shown
    assert settings.bot_token == "123456:AAE-very-secret"  # still there for the bot
    with pytest.raises(SettingsError) as error:
        load_settings({**WEBHOOK, "WEBHOOK_SECRET": "has spaces and a secret!"}, env_file=None)
    assert "secret!" not in str(error.value) and "WEBHOOK_SECRET" in str(error.value)


def test_webhook_settings():
    settings = load_settings({**WEBHOOK, "WEBHOOK_LISTEN": "0.0.0.0:8443"}, env_file=None)
    assert settings.webhook_url == "https://bot.example.org/tg"
    assert settings.webhook_listen == ("0.0.0.0", 8443)
    default = load_settings({}, env_file=None)
    assert default.webhook_url is None and default.webhook_listen == ("127.0.0.1", 8080)
    assert default.health_listen is None
    assert load_settings({"HEALTH_LISTEN": "[::1]:9100"}, env_file=None).health_listen == (
        "::1", 9100)


@pytest.mark.parametrize("environ, variable", [
    ({"WEBHOOK_URL": "http://bot.example.org/tg", "WEBHOOK_SECRET": "x"}, "WEBHOOK_URL"),
    ({"WEBHOOK_URL": "bot.example.org/tg", "WEBHOOK_SECRET": "x"}, "WEBHOOK_URL"),
    ({"WEBHOOK_URL": "https://bot.example.org/tg"}, "WEBHOOK_SECRET"),
    ({**WEBHOOK, "WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
    ({"WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN"),
    ({"WEBHOOK_LISTEN": "localhost:99999"}, "WEBHOOK_LISTEN"),
    ({"HEALTH_LISTEN": "everywhere"}, "HEALTH_LISTEN"),
    ({"BACKUP_KEEP": "0"}, "BACKUP_KEEP"),
    ({"BACKUP_KEEP": "seven"}, "BACKUP_KEEP"),
    ({"HOTLINE_DATA_DIR": "/nonexistent/data"}, "HOTLINE_DATA_DIR"),
])
def test_wrong_deployment_values_name_their_variable(environ, variable):
    with pytest.raises(SettingsError, match=f"^{variable}:"):
        load_settings(environ, env_file=None)


def test_backup_and_data_dir_settings(tmp_path):
    (tmp_path / "directory.csv").write_text("")
    settings = load_settings({"BACKUP_DIR": "/var/backups/hotline", "BACKUP_KEEP": "14",
                              "HOTLINE_DATA_DIR": str(tmp_path)}, env_file=None)
    assert settings.backup_dir == "/var/backups/hotline" and settings.backup_keep == 14
    assert settings.data_dir == str(tmp_path)
    assert load_settings({}, env_file=None).backup_keep == 7
