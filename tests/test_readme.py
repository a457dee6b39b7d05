"""CI runs exactly the test command the README gives a new user."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if line.endswith("python -m pytest -q"))
    assert command in ci.splitlines()


def test_every_setting_the_code_reads_is_in_the_configuration_table():
    import re

    settings_code = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r'get\("([A-Z_]+)"\)', settings_code))
    assert len(names) > 10
    missing = sorted(name for name in names if f"| `{name}` |" not in readme)
    assert missing == []
