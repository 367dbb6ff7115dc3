"""requirements.lock matches the pins people edit (requirements.txt, requirements-dev.txt): run `make lock`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements file, following ``-r``."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found |= pins(path.parent / line[3:].strip())
        elif match := PIN.match(line):
            found[normalised(match["name"])] = match["version"]
        else:
            assert not line, f"{path.name}: {line!r} is not pinned with =="
    return found


def locked() -> dict[str, tuple[str, int]]:
    """Each package of the lock: its version and how many hashes it has."""
    entries: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text()):
        if match := PIN.match(block):
            entries[normalised(match["name"])] = (
                match["version"],
                len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)),
            )
    return entries


def test_every_pin_is_locked_at_its_version():
    lock = locked()
    wanted = pins(ROOT / "requirements-dev.txt")

    assert "django" in wanted and "pytest" in wanted  # runtime and dev both read
    stale = {name: (version, lock.get(name, ("missing", 0))[0]) for name, version in wanted.items()}
    assert {name: v for name, v in stale.items() if v[0] != v[1]} == {}, "edit a pin, then run `make lock`"


def test_every_locked_package_has_hashes():
    lock = locked()

    assert len(lock) > len(pins(ROOT / "requirements-dev.txt"))  # the dependencies of the pins are locked too
    assert {name for name, (_, hashes) in lock.items() if hashes == 0} == set()
