"""requirements.lock pins every dependency of pyproject.toml inside its range."""
from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-r")):
            continue
        package, sep, version = line.partition("==")
        assert sep, f"{name}: {line!r} is not an exact pin"
        found[canonicalize_name(package.split("[")[0])] = version
    return found


def test_every_dependency_is_pinned_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    assert not set(runtime) & set(test), "a package is pinned twice"
    for spec, locked in ([(s, runtime) for s in project["dependencies"]]
                         + [(s, runtime) for s in project["optional-dependencies"]["postgres"]]
                         + [(s, runtime | test) for s in project["optional-dependencies"]["test"]]):
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in the lock"
        assert requirement.specifier.contains(locked[name]), (
            f"{requirement.name}=={locked[name]} is outside {requirement.specifier}")


def test_ci_installs_from_the_lock():
    script = (ROOT / ".ci" / "run").read_text()
    assert "-r requirements-test.lock" in script and "--no-deps" in script
