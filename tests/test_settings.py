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
