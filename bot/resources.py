"""Where the bot's own files are, in a checkout and in an installed package alike.

pyproject.toml installs the repository's data/ and locales/ folders inside the package
as bot.data and bot.locales (storage/db.py reads its migrations, package data of storage, the
same way), so they are
read with importlib.resources and `pip install .` or a wheel runs from any folder.
HOTLINE_DATA_DIR points at an operator's own copy of data/: staff edit that copy, and
an upgrade of the package does not overwrite their corrections.
"""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

_data_dir: Path | None = None  # set from Settings.data_dir at start-up (use_data_dir)


def _package_dir(package: str) -> Path:
    # A package installed as files (wheel, editable, checkout) is a real folder; Babel and
    # the CSV readers need real paths.
    return Path(str(files(package)))


def use_data_dir(path: str | os.PathLike[str] | None) -> None:
    """Read data files from `path` from now on (None: the installed ones)."""
    global _data_dir
    _data_dir = Path(path) if path is not None else None


def data_dir() -> Path:
    return _data_dir if _data_dir is not None else _package_dir("bot.data")


def data_file(name: str) -> Path:
    """A file of data/ (directory.csv, services.csv ...): the operator's copy if set."""
    return data_dir() / name


def locales_dir() -> Path:
    return _package_dir("bot.locales")
