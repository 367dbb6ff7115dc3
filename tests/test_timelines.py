"""The expected timelines: every citation is real, and no window exists without a number in its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.shared_docs import shared_dir_or_skip
from tracker.models import CourseKind
from tracker.progress.calculate import REACHED_BY_FIELD, REACHED_BY_PAIN
from tracker.progress.report import Citation, Expectation
from tracker.progress.timelines import (
    ALL_CITATIONS,
    ALL_EXPECTATIONS,
    FULL_WEIGHT_BEARING_STUDY,
    GENERAL,
    NEEDLING_TYPICAL_SESSIONS,
    SURGERY_LEAFLET_DOC,
    expectations_for,
    milestones_for,
)
from tracker.progress.wording import window_in_words

FILE_LINE = re.compile(r"^(?P<file>[0-9]{3}_[0-9a-f]{16}\.txt):(?P<line>[0-9]+)$")


def normalise(text: str) -> str:
    return " ".join(text.split())


def _file_citations() -> list[Citation]:
    return [c for c in ALL_CITATIONS if not c.source.startswith("CLINICAL.md")]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared documents (tests/shared_docs.py says where it looks); skipped if absent, failed under CI."""
    return shared_dir_or_skip()


@pytest.fixture
def sources_dir(shared_dir: Path) -> Path:
    return shared_dir / "sources"


def test_it_cites_every_expectation_as_file_line_or_clinical_md():
    for citation in ALL_CITATIONS:
        assert FILE_LINE.match(citation.source) or citation.source.startswith("CLINICAL.md: "), citation.source
        assert citation.quote.strip(), citation


@pytest.mark.parametrize("citation", _file_citations(), ids=lambda c: f"{c.source} {c.quote[:30]}")
def test_it_quotes_each_source_line_verbatim(sources_dir, citation):
    match = FILE_LINE.match(citation.source)
    assert match, citation.source
    path = sources_dir / match["file"]
    assert path.is_file(), f"{citation.source}: no such file in {sources_dir}"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = int(match["line"])
    assert 1 <= number <= len(lines), f"{citation.source}: the file has {len(lines)} lines"
    assert normalise(citation.quote) in normalise(lines[number - 1]), (
        f"{citation.source} does not contain {citation.quote!r}; the line is {lines[number - 1]!r}"
    )


@pytest.mark.parametrize(
    "citation", [c for c in ALL_CITATIONS if c.source.startswith("CLINICAL.md")], ids=lambda c: c.quote[:40]
)
def test_it_quotes_clinical_md_verbatim(shared_dir, citation):
    path = shared_dir / "CLINICAL.md"
    assert path.is_file(), f"{shared_dir} holds sources/ but no CLINICAL.md"
    assert normalise(citation.quote) in normalise(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("expectation", ALL_EXPECTATIONS, ids=lambda e: f"{e.kind or 'any'}-{e.key}")
def test_it_takes_every_window_number_from_the_quoted_words(expectation):
    """No invented numbers: a window in weeks must appear, as weeks, in the quoted words."""
    if expectation.window_start_day is None:
        assert expectation.window_end_day is None
        return
    start_weeks, end_weeks = expectation.window_start_day / 7, expectation.window_end_day / 7
    assert start_weeks.is_integer() and end_weeks.is_integer()
    assert f"{int(start_weeks)} to {int(end_weeks)} weeks" in expectation.citation.quote
    assert f"{int(start_weeks)} to {int(end_weeks)} weeks" in expectation.window_words


@pytest.mark.parametrize(
    ("kind", "key", "start", "end"),
    [
        (CourseKind.ENDOSCOPIC, "usual_activities", 21, 42),  # 000:11 "3 to 6 weeks"
        (CourseKind.ENDOSCOPIC, "limited_weight_bearing", None, None),  # "soon after surgery"
        (CourseKind.ENDOSCOPIC, "normal_shoes", None, None),  # "as soon as it is comfortable"
        (CourseKind.ENDOSCOPIC, "full_weight_bearing", None, None),  # a study's mean, not a window
        (CourseKind.OPEN, "out_of_cast_or_boot", 14, 21),  # 000:13 "2 to 3 weeks"
        (CourseKind.OPEN, "usual_activities", None, None),  # "longer"
        (CourseKind.NEEDLING, "pain_relief", None, None),  # "towards the end of the first month": not judged
        (CourseKind.MASSAGE, "pain_relief", None, None),  # "a few sessions"
    ],
)
def test_it_has_the_windows_the_sources_give(kind, key, start, end):
    [expectation] = [e for e in expectations_for(kind) if e.key == key]
    assert (expectation.window_start_day, expectation.window_end_day) == (start, end)


@pytest.mark.parametrize("kind", CourseKind.values)
def test_it_has_expectations_and_milestones_for_every_kind(kind):
    assert expectations_for(kind)
    assert milestones_for(kind)
    assert all(e.kind == kind for e in expectations_for(kind))
    keys = [e.key for e in expectations_for(kind)]
    assert len(keys) == len(set(keys)), "keys are unique within a kind (alerts use them)"


@pytest.mark.parametrize("kind", [CourseKind.NEEDLING, CourseKind.MASSAGE])
def test_it_gives_conservative_courses_the_6_to_12_month_expectation(kind):
    sources = {e.citation.source for e in expectations_for(kind)}
    assert "000_1e061efd59e99644.txt:19" in sources
    assert "000_1e061efd59e99644.txt:25" in sources


def test_it_says_needling_takes_4_to_6_sessions():
    assert NEEDLING_TYPICAL_SESSIONS == (4, 6)
    [sessions] = [e for e in expectations_for(CourseKind.NEEDLING) if e.key == "sessions"]
    assert "4 to 6 sessions" in sessions.citation.quote
    assert sessions.citation.source == "002_fa29d4789d40a23d.txt:35"


def test_it_knows_how_every_milestone_is_read_from_the_logs():
    for expectation in ALL_EXPECTATIONS:
        if expectation.is_milestone:
            assert expectation.key in REACHED_BY_FIELD or expectation.key in REACHED_BY_PAIN, expectation.key


def test_it_includes_the_meaningful_change_rule():
    rule = next(e for e in GENERAL if e.key == "meaningful_change")
    assert "2 points" in rule.citation.quote
    assert rule.citation.source.startswith("CLINICAL.md")


def test_it_rejects_an_unknown_kind():
    with pytest.raises(KeyError):
        expectations_for("acupuncture")


Q = Citation(SURGERY_LEAFLET_DOC, "q", 1)


@pytest.mark.parametrize(
    ("expectation", "words"),
    [
        (
            Expectation("k", "open", "t", Q, 14, 21, window_words="2 to 3 weeks after surgery"),
            "2 to 3 weeks after surgery",
        ),
        (Expectation("k", "open", "t", Q, 14, 21), "days 14 to 21 after day 0"),
        (
            Expectation("k", "open", "t", Q, reported=FULL_WEIGHT_BEARING_STUDY),
            "No time in the leaflet; one study reported",
        ),
        (Expectation("k", "open", "t", Q), "No time given"),
    ],
)
def test_it_puts_windows_in_plain_words(expectation, words):
    assert window_in_words(expectation).startswith(words)


# ---------------------------------------------------------------------------------------------------------------
# No source reference outside the timeline data: every citation the product shows is one of ALL_CITATIONS
# ---------------------------------------------------------------------------------------------------------------

SOURCE_REFERENCE = re.compile(r"\b00[0-2](?::\d|_[0-9a-f]{6})|CLINICAL\.md|\.txt:\d")
ROOT = Path(settings.BASE_DIR)


def _code_strings(path: Path):
    """The string literals of a module that are not docstrings, with their line numbers."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_source_reference_is_written_as_a_string_outside_the_timeline_data():
    found = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        if path.name == "timelines.py" or "migrations" in path.parts:
            continue
        found += [f"{path.relative_to(ROOT)}:{n}: {v!r}" for n, v in _code_strings(path) if SOURCE_REFERENCE.search(v)]
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            text = re.sub(
                r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S
            )
            found += [f"{path.relative_to(ROOT)}: {m.group(0)!r}" for m in SOURCE_REFERENCE.finditer(text)]
    assert not found, "source references written outside tracker/progress/timelines.py:\n" + "\n".join(found)
