"""Finding the shared documents (tests/shared_docs.py): the order of the places looked at, and CI's failure."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.shared_docs import find_shared_dir, in_ci, shared_dir_or_skip


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],  # noqa: S607
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def shared_at(folder: Path) -> Path:
    (folder / "sources").mkdir(parents=True)
    (folder / "CLINICAL.md").write_text("# Clinical\n")
    return folder


def repository(path: Path) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=path)
    git("commit", "-q", "--allow-empty", "-m", "start", cwd=path)
    return path


def test_shared_dir_comes_first(tmp_path):
    project = repository(tmp_path / "work" / "main")
    shared_at(tmp_path / "work" / "shared")
    elsewhere = shared_at(tmp_path / "elsewhere")

    assert find_shared_dir(project_root=project, environ={"SHARED_DIR": str(elsewhere)}).path == elsewhere


def test_then_the_folder_beside_the_project(tmp_path):
    project = repository(tmp_path / "work" / "main")
    beside = shared_at(tmp_path / "work" / "shared")

    lookup = find_shared_dir(project_root=project, environ={"SHARED_DIR": str(tmp_path / "missing")})

    assert lookup.path == beside
    assert lookup.tried == (f"{tmp_path / 'missing'} (SHARED_DIR)",)


@pytest.mark.parametrize("as_url", [False, True])
def test_then_the_folder_beside_the_repository_this_was_cloned_from(tmp_path, as_url):
    """CI: ``git clone /work/main <tmpdir>/main``, with the shared folder beside /work/main only."""
    origin = repository(tmp_path / "work" / "main")
    shared = shared_at(tmp_path / "work" / "shared")
    (tmp_path / "ci").mkdir()
    git("clone", "-q", f"file://{origin}" if as_url else str(origin), "main", cwd=tmp_path / "ci")

    lookup = find_shared_dir(project_root=tmp_path / "ci" / "main", environ={})

    assert lookup.path == shared
    assert lookup.tried == (f"{tmp_path / 'ci' / 'shared'} (beside the project)",)


def test_then_the_folder_beside_the_main_checkout_of_a_worktree(tmp_path):
    main = repository(tmp_path / "work" / "main")
    shared = shared_at(tmp_path / "work" / "shared")
    git("worktree", "add", "-q", "-b", "tooling", str(tmp_path / "work" / "wt" / "tooling"), cwd=main)

    assert find_shared_dir(project_root=tmp_path / "work" / "wt" / "tooling", environ={}).path == shared


def test_a_remote_origin_or_a_folder_without_sources_is_not_it(tmp_path):
    project = repository(tmp_path / "ci" / "main")
    git("remote", "add", "origin", "https://git.example.org/heel.git", cwd=project)
    (tmp_path / "ci" / "shared").mkdir()  # no sources/ inside

    lookup = find_shared_dir(project_root=project, environ={})

    assert lookup.path is None
    assert lookup.tried == (f"{tmp_path / 'ci' / 'shared'} (beside the project)",)


def test_outside_git_only_the_variable_and_the_folder_beside_count(tmp_path):
    project = tmp_path / "export" / "main"
    project.mkdir(parents=True)

    assert find_shared_dir(project_root=project, environ={}).path is None
    assert find_shared_dir(project_root=project, environ={}).tried == (
        f"{tmp_path / 'export' / 'shared'} (beside the project)",
    )


@pytest.mark.parametrize(
    ("value", "ci"), [("true", True), ("1", True), ("TRUE", True), ("", False), ("false", False), ("0", False)]
)
def test_ci_is_read_from_the_ci_variable(value, ci):
    assert in_ci({"CI": value}) is ci
    assert in_ci({}) is False


def test_missing_documents_skip_locally_and_fail_under_ci(tmp_path):
    project = tmp_path / "main"
    project.mkdir()

    with pytest.raises(pytest.skip.Exception) as skipped:
        shared_dir_or_skip(project_root=project, environ={})
    with pytest.raises(pytest.fail.Exception) as failed:
        shared_dir_or_skip(project_root=project, environ={"CI": "true"})

    for outcome in (skipped, failed):
        assert f"Looked in: {tmp_path / 'shared'} (beside the project)" in str(outcome.value)
        assert "Set SHARED_DIR=/path/to/shared" in str(outcome.value)
    assert "CI must check every citation" in str(failed.value)


def test_found_documents_are_returned_under_ci_too(tmp_path):
    project = tmp_path / "main"
    project.mkdir()
    shared = shared_at(tmp_path / "shared")

    assert shared_dir_or_skip(project_root=project, environ={"CI": "true"}) == shared
