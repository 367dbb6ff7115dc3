"""``/sources/``: every expectation the product uses, with the quoted words and the citation, for anyone."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from tracker.models import CourseKind
from tracker.progress.timelines import ALL_EXPECTATIONS

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_it_lives_at_sources():
    assert reverse("public:sources") == "/sources/"


def test_it_shows_every_expectation_to_anyone_signed_out(client):
    response = client.get("/sources/")
    assert response.status_code == 200
    text = text_of(response)
    for expectation in ALL_EXPECTATIONS:
        assert " ".join(expectation.title.split()) in text, expectation.key
        assert " ".join(expectation.citation.quote.split()) in text, expectation.key
        assert expectation.citation.label in text, expectation.key  # the document's title, never a file name
        assert expectation.citation.ref in text, expectation.key  # the file's number and line, in small print


def test_it_groups_by_course_kind_under_headings(client):
    html = client.get("/sources/").content.decode()
    assert html.count("<h1") == 1
    for kind in CourseKind:
        assert re.search(rf'<h2 class="h4" id="kind-{kind.value}">{re.escape(kind.label)}</h2>', html)
    assert 'id="every-course"' in html


def test_it_gives_the_window_in_plain_words_or_says_nothing_is_judged(client):
    text = text_of(client.get("/sources/"))
    assert "3 to 6 weeks after surgery" in text
    assert "2 to 3 weeks after surgery" in text
    assert "No time given: not judged" in text


def test_its_tables_have_captions_and_header_scopes(client):
    html = client.get("/sources/").content.decode()
    tables = html.count("<table")
    assert tables == len(CourseKind) + 1  # one per kind, and every course
    assert html.count("<caption") == tables
    assert "<th>" not in html and "<th " in html
    assert all(re.search(r'scope="(col|row)"', th) for th in re.findall(r"<th(?:\s[^>]*)?>", html))


def test_it_lists_every_document_under_its_anchor_and_links_each_citation_to_it(client):
    from tracker.progress.timelines import DOCUMENTS

    html = client.get("/sources/").content.decode()
    for document in DOCUMENTS:
        assert f'id="{document.anchor}"' in html, document.key
    for expectation in ALL_EXPECTATIONS:
        assert f'href="/sources/#{expectation.citation.document.anchor}"' in html


def test_it_shows_a_studys_figure_beside_a_milestone_the_leaflet_gives_no_time_for(client):
    text = text_of(client.get("/sources/"))
    assert "One study reported full weight-bearing at a mean of 40 days" in text


def test_it_works_for_a_signed_in_patient(patient_client):
    assert patient_client.get("/sources/").status_code == 200


def test_it_refuses_post(client):
    assert client.post("/sources/").status_code == 405
