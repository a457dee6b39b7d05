"""The deployment files agree with the project: what they copy, install and run."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_dockerfile_copies_every_packaged_folder_and_installs_the_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {setuptools.get("package-dir", {}).get(p, p).split("/")[0].split(".")[0]
               for p in setuptools["packages"]}
    copied = set(re.findall(r"^COPY (\S+) \./", dockerfile, flags=re.MULTILINE))
    assert folders <= copied, f"not copied into the image: {sorted(folders - copied)}"
    assert "pip install -r requirements.lock" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, flags=re.MULTILINE)
    assert "fonts-khmeros" in dockerfile
    assert 'CMD ["returnee-hotline", "run"]' in dockerfile


def test_compose_and_systemd_run_the_installed_command_with_a_volume():
    compose = (ROOT / "compose.yaml").read_text()
    assert "hotline-data:/var/lib/returnee-hotline" in compose
    assert '"127.0.0.1:8080:8080"' in compose  # never published on every interface
    unit = (ROOT / "deploy" / "returnee-hotline.service").read_text()
    assert re.search(r"^ExecStart=\S+/returnee-hotline run$", unit, flags=re.MULTILINE)
    assert "EnvironmentFile=/etc/returnee-hotline/env" in unit
    assert re.search(r"^User=(?!root)\w+", unit, flags=re.MULTILINE)
