"""CI runs exactly the test command the README gives a new user."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    """The README's install resolves the ranges of pyproject.toml; CI installs the same
    project from the lock (tests/test_lock.py), then runs the same test command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = next(line for line in readme.splitlines() if line.endswith("python -m pytest -q"))
    assert command.startswith("python3 -m venv .venv && ")
    for step in command.split(" && "):
        if "pip install" not in step:
            assert step in ci
    assert '.venv/bin/pip install -q -e . --no-deps' in ci


def test_ci_runs_the_readme_command_for_postgresql_after_the_sqlite_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = "HOTLINE_TEST_DATABASE=postgresql .venv/bin/python -m pytest -q"
    assert command in readme.splitlines()
    assert ci.index(command) > ci.index(".venv/bin/python -m pytest -q")


def test_ci_runs_the_readme_lint_command_before_the_tests():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = ".venv/bin/ruff check . && .venv/bin/mypy"
    assert command in readme.splitlines()
    assert ci.index(command) < ci.index(".venv/bin/python -m pytest -q")


def configuration_table() -> list[str]:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE)


def test_env_example_lists_every_setting_of_the_configuration_table():
    import re

    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = re.findall(r"^(?:# )?([A-Z][A-Z_]+)=", example, flags=re.MULTILINE)
    assert len(listed) == len(set(listed)), "a setting is listed twice"
    assert sorted(listed) == sorted(configuration_table())


def test_every_setting_the_code_reads_is_in_the_configuration_table():
    import re

    settings_code = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r'get\("([A-Z_]+)"\)', settings_code))
    assert len(names) > 10
    missing = sorted(name for name in names if f"| `{name}` |" not in readme)
    assert missing == []
