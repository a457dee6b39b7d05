"""The command line as an operator uses it: run, console, help, bad configuration."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys

import pytest

from bot.resources import data_dir
from tests.resilience.process import cli_env, query, start_bot, stop_bot, wait_for


def run_cli(tmp_path, *args, input_text=None, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=cli_env(tmp_path, **extra),
        input=input_text, capture_output=True, text=True, timeout=60,
    )


def test_help_lists_the_commands(tmp_path):
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("run", "console"):
        assert command in result.stdout


def test_run_without_a_token_says_so_in_one_line(tmp_path):
    result = run_cli(tmp_path, "run")
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "BOT_TOKEN" in result.stderr


def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path):
    result = run_cli(tmp_path, "run", BOT_TOKEN="1:x", STAFF_CHAT_ID="the-staff-group")
    assert result.returncode != 0
    assert result.stderr.strip() == "error: STAFF_CHAT_ID: 'the-staff-group' is not a number"
    result = run_cli(tmp_path, "console", TIMEZONE="Asia/Nowhere")
    assert result.returncode != 0 and "TIMEZONE" in result.stderr


def test_env_file_in_the_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text("ADMIN_USER_IDS=one\n")
    result = run_cli(tmp_path, "console", input_text="")
    assert result.returncode != 0 and "ADMIN_USER_IDS" in result.stderr


@pytest.mark.parametrize("name, line", [("thai_provinces.csv", "thai_provinces.csv:2"),
                                        ("screener_phrases.csv", "screener_phrases.csv:2")])
def test_a_malformed_file_in_hotline_data_dir_stops_start_up_naming_it(tmp_path, name, line):
    """The operator's copy is the one read, also for the lists the flows use (a list read
    when the code is imported would be the installed one)."""
    copy = tmp_path / "our-data"
    shutil.copytree(data_dir(), copy, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    rows = (copy / name).read_text(encoding="utf-8").splitlines()
    rows[1] = "nonsense"
    (copy / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run_cli(tmp_path, "console", input_text="", HOTLINE_DATA_DIR=str(copy))
    assert result.returncode == 2
    assert line in result.stderr and str(copy) in result.stderr


def test_console_lets_a_person_choose_english_and_reach_the_menu(tmp_path):
    # /help rather than a button number: the menu's positions change as flows are added.
    result = run_cli(tmp_path, "console", input_text="/start\n#2\n/help\n!quit\n")
    assert result.returncode == 0, result.stderr
    assert "សូមជ្រើសរើសភាសា" in result.stdout  # greeted in Khmer first
    assert "I will write to you in English." in result.stdout
    assert "] ❓ Help" in result.stdout  # the menu, with its buttons numbered
    assert "In an emergency in Thailand, call:" in result.stdout  # /help answered
    assert "Traceback" not in result.stderr


async def test_run_answers_in_khmer_and_remembers_the_language_after_a_restart(tmp_path, fake_api):
    api = fake_api.api
    person = {"id": 500_001, "first_name": "Dara", "language_code": "km"}
    process = await start_bot(tmp_path, fake_api)
    try:
        fake_api.queue(api.user_sends(person, "/start"))
        await wait_for(lambda: len(api.sent_to(person["id"])) >= 1)
        greeting = api.sent_to(person["id"])[-1]
        assert "សួស្តី" in greeting["text"]
        fake_api.queue(api.user_presses(person, greeting, "lang:en"))
        # the safety-alerts question (flows/returnee/alerts.py), then the menu
        await wait_for(lambda: len(api.sent_to(person["id"])) >= 3)
        assert "I will write to you in English." in api.sent_to(person["id"])[-1]["text"]
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    assert "123456:TEST" not in stderr  # the token never reaches the log

    process = await start_bot(tmp_path, fake_api)
    try:
        fake_api.queue(api.user_sends(person, "/help"))
        await wait_for(lambda: len(api.sent_to(person["id"])) >= 4)
        assert "In an emergency in Cambodia, call:" in api.sent_to(person["id"])[-1]["text"]
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr


def menu_number(key: str) -> str:
    """The number the console gives a main-menu entry (the menu grows with the flows)."""
    from flows import FLOWS

    entries = sorted((e for flow in FLOWS for e in flow.menu), key=lambda e: e.order)
    return f"#{[e.key for e in entries].index(key) + 1}"


def test_console_completes_a_short_grievance(tmp_path):
    steps = [
        "/start", "#2",      # English
        menu_number("report"),  # 📣 Report a problem
        "#7",                # Something else
        "#2", "#1", "#2", "#2", "#2", "#2", "#2",  # safety questions: no warning sign (2 = No)
        "My boss shouted at me every day.",
        "!photo", "#1",      # one photo, then Done
        "#2",                # In Cambodia
        "Battambang",
        "#2",                # Keep me anonymous
        "#1",                # Write to me in this chat
        "#26",               # home province: I prefer not to say (after the 25 provinces)
        "#4",                # I prefer not to say
        "#1",                # Confirm and send
        "!quit",
    ]
    result = run_cli(tmp_path, "console", input_text="\n".join(steps) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Please check your report:" in result.stdout
    assert "Your reference is G-0001." in result.stdout
    assert "Traceback" not in result.stderr
    [row] = query(tmp_path, "SELECT kind, category, place, anonymous FROM cases")
    assert tuple(row) == ("G", "other", "Battambang", 1)


async def test_a_rejected_token_is_one_line_that_does_not_show_the_token(tmp_path, fake_api):
    from bot.devtools.offline import Fault

    fake_api.api.faults.append(Fault("getMe", error_code=401, description="Unauthorized"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path,
        env=cli_env(tmp_path, BOT_TOKEN="123456:SECRET-TOKEN",
                    BOT_API_BASE_URL=fake_api.base_url),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    text = stderr.decode()
    assert process.returncode == 2
    assert "SECRET-TOKEN" not in text and "Traceback" not in text
    assert text.strip().splitlines()[-1] == (
        "error: Telegram rejected BOT_TOKEN (check it, and BOT_API_BASE_URL if set)")


def test_console_presses_buttons_with_a_hash_and_takes_plain_digits_as_text(tmp_path):
    steps = ["/start", "#2", menu_number("wage"), "#3",  # English, I was not paid, a group
             "12",  # how many workers: a number typed, not button 12
             "#99", "!quit"]
    result = run_cli(tmp_path, "console", input_text="\n".join(steps) + "\n")
    assert result.returncode == 0, result.stderr
    assert "In which province of Thailand did you work?" in result.stdout  # 12 was the answer
    assert "(no button 99; choose #1-#" in result.stdout
    assert "[#1]" in result.stdout
