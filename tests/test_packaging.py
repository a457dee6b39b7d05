"""An installed package runs from any folder: a wheel in a fresh virtual environment."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=600, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT)
    assert built.returncode == 0, built.stderr
    return next(out.glob("returnee_hotline-*.whl"))


def test_the_wheel_holds_catalogs_data_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("bot/locales/km/LC_MESSAGES/messages.po",
                 "bot/locales/en/LC_MESSAGES/messages.po",
                 "bot/data/directory.csv", "bot/data/services.csv",
                 "bot/data/recruiters-sample.csv",
                 "storage/migrations/001_users.sql", "storage/migrations/011_inbox.sql"):
        assert name in names, name
    repo_data = {p.name for p in (ROOT / "data").glob("*.csv")}
    assert repo_data == {Path(n).name for n in names if n.startswith("bot/data/")
                         and n.endswith(".csv")}
    repo_sql = {p.name for p in (ROOT / "storage" / "migrations").glob("*.sql")}
    assert repo_sql == {Path(n).name for n in names if n.startswith("storage/migrations/")}


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel and its dependencies from this environment's wheels."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    # The dependencies as installed here, so the test needs no network.
    frozen = run(sys.executable, "-m", "pip", "freeze", "--exclude-editable").stdout
    wheels = tmp_path_factory.mktemp("deps")
    requirements = wheels / "requirements.txt"
    requirements.write_text(frozen)
    fetched = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels,
                  "-r", requirements)
    assert fetched.returncode == 0, fetched.stderr
    result = run(venv / "bin" / "pip", "install", "-q", "--no-index", "--find-links", wheels,
                 wheel)
    assert result.returncode == 0, result.stderr
    return venv


def console(venv: Path, folder: Path, text: str, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    environ.update(env)
    return run(venv / "bin" / "returnee-hotline", "console", input=text, cwd=folder, env=environ)


def test_the_installed_command_runs_the_console_from_another_folder(installed, tmp_path):
    result = console(installed, tmp_path, "/start\n#2\n/help\n!quit\n")
    assert result.returncode == 0, result.stderr
    assert "សូមជ្រើសរើសភាសា" in result.stdout  # the Khmer catalog was found
    assert "I will write to you in English." in result.stdout
    assert "☎️ 1300" in result.stdout  # the directory was read from the package
    assert (tmp_path / "hotline.sqlite3").is_file()  # the migrations ran
    # it is the installed copy that ran, not this checkout
    where = run(installed / "bin" / "python", "-c", "import bot; print(bot.__file__)",
                cwd=tmp_path)
    assert str(installed) in where.stdout


def test_hotline_data_dir_points_at_the_operators_copy(installed, tmp_path):
    copy = tmp_path / "our-data"
    shutil.copytree(ROOT / "data", copy, ignore=shutil.ignore_patterns("__init__.py"))
    path = copy / "directory.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["number"] == "1300":  # staff correct how an entry is described
            row["who_en"] = "MSDHS hotline (our corrected name)"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = console(installed, tmp_path, "/start\n#2\n/help\n!quit\n",
                     HOTLINE_DATA_DIR=str(copy))
    assert result.returncode == 0, result.stderr
    assert "☎️ 1300: MSDHS hotline (our corrected name)" in result.stdout
