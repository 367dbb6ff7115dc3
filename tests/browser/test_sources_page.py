"""``/sources/`` in a real Chromium: no serious accessibility problem (axe-core), on a phone and a desktop."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_clean


@pytest.mark.django_db
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_sources_page_passes_axe(new_page, live_server, check_accessibility, screenshot, viewport):
    page = new_page(viewport)
    page.goto(f"{live_server.url}/sources/")
    assert page.locator("h1").inner_text() == "Where our expectations come from"
    check_accessibility(page, context="/sources/")
    screenshot(page, "sources")
    assert_clean(page)
