"""Where the shared documents are: the source documents (``sources/``) and ``CLINICAL.md`` that every citation
in ``tracker/progress/timelines.py`` quotes. They are not part of this repository; they sit beside it, in a
folder named ``shared``.

Looked for, in order (the first folder that holds ``sources/`` wins):

1. the environment variable ``SHARED_DIR``;
2. ``<project root>/../shared``;
3. when this checkout is a clone of a repository on this machine (``remote.origin.url`` is a local path, as
   for CI's ``git clone /work/main <tmpdir>``): ``<that repository>/../shared``;
4. when this checkout is a git worktree: ``<the main checkout>/../shared``.

Where none holds it, the tests that need it skip with the reason, or fail under ``CI=true``: CI must check
every citation (as the browser tests fail there without Chromium).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SharedLookup:
    path: Path | None  # the folder found, or None
    tried: tuple[str, ...]  # each place looked at, in order, for the message


def _git(project_root: Path, *args: str) -> str:
    """A git query about ``project_root``'s checkout; empty when git or the answer is missing."""
    try:
        result = subprocess.run(
            ["git", "-C", str(project_root), *args],  # noqa: S607 - git from PATH, as a developer runs it
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _local_path(url: str, project_root: Path) -> Path | None:
    """The directory a remote URL names when it is on this machine (a path or file:// URL), else None."""
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    if url.startswith(("/", "./", "../", "~")):
        return (project_root / Path(url).expanduser()).resolve()
    return None  # https://, ssh://, git@host:path: another machine


def find_shared_dir(*, project_root: Path = PROJECT_ROOT, environ: Mapping[str, str] = os.environ) -> SharedLookup:
    """Look for the shared folder in the order of the module docstring."""
    candidates: list[tuple[str, Path]] = []
    if environ.get("SHARED_DIR"):
        candidates.append(("SHARED_DIR", Path(environ["SHARED_DIR"]).expanduser()))
    candidates.append(("beside the project", project_root.parent / "shared"))
    origin = _local_path(_git(project_root, "config", "--get", "remote.origin.url"), project_root)
    if origin is not None:
        candidates.append(("beside the repository this was cloned from", origin.parent / "shared"))
    common = _git(project_root, "rev-parse", "--path-format=absolute", "--git-common-dir")
    if common and Path(common).name == ".git" and Path(common).parent.resolve() != project_root.resolve():
        candidates.append(("beside the main checkout of this worktree", Path(common).parent.parent / "shared"))

    tried: list[str] = []
    for how, path in candidates:
        if (path / "sources").is_dir():
            return SharedLookup(path=path, tried=tuple(tried))
        tried.append(f"{path} ({how})")
    return SharedLookup(path=None, tried=tuple(tried))


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def shared_dir_or_skip(*, project_root: Path = PROJECT_ROOT, environ: Mapping[str, str] = os.environ) -> Path:
    """The shared folder; else skip the test, or fail it under CI."""
    lookup = find_shared_dir(project_root=project_root, environ=environ)
    if lookup.path is not None:
        return lookup.path
    message = (
        "The shared documents (a folder named shared, holding sources/ and CLINICAL.md) were not found. "
        f"Looked in: {'; '.join(lookup.tried)}. Set SHARED_DIR=/path/to/shared to point at them."
    )
    if in_ci(environ):
        pytest.fail(f"{message} CI must check every citation against them.")
    pytest.skip(message)
