"""Issue 14, part 4: the progress chart at phone size (390 px) with both feet treated: one chart per foot, short
dates that do not overlap, no Chart.js legend (the caption is the one legend), and words where the band is missing."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from tests.browser.conftest import assert_clean
from tests.factories import TEST_PASSWORD, CourseFactory, DailyLogFactory, PatientFactory
from tracker.models import CourseFoot, Foot


@pytest.fixture
def two_feet(transactional_db):
    patient = PatientFactory.create(username="tess", first_name="Tess")
    today = patient.local_today()
    CourseFactory.create(patient=patient, endoscopic=True, foot=CourseFoot.BOTH, day_zero=today - timedelta(days=40))
    for days in range(0, 40, 2):
        for foot, pain in ((Foot.LEFT, 7 - days // 10), (Foot.RIGHT, 5 - days // 20)):
            DailyLogFactory.create(patient=patient, foot=foot, date=today - timedelta(days=days), first_step_pain=pain)
    return patient


def test_a_two_foot_chart_is_readable_on_a_phone(two_feet, phone_page, sign_in, live_server, screenshot):
    page = phone_page
    sign_in(page, "tess", TEST_PASSWORD)
    page.goto(f"{live_server.url}/progress/")
    page.wait_for_load_state("networkidle")

    canvases = page.locator("canvas[data-progress-chart]")
    assert canvases.count() == 2
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-progress-chart]')).map(canvas => {
             const c = Chart.getChart(canvas);
             const x = c.scales.x;
             const ticks = x.ticks.map((t, i) => ({label: x.getLabelForValue(t.value), text: x._labelItems[i]}));
             const boxes = x._labelItems.map(item => {
               const w = c.ctx.measureText(String(item.label)).width;
               return [item.options.translation[0] - w / 2, item.options.translation[0] + w / 2];
             });
             return {width: c.width, height: c.height, legend: c.options.plugins.legend.display,
                     feet: c.data.datasets.filter(d => d.label === 'first-step pain').length,
                     labels: x._labelItems.map(i => String(i.label)), boxes: boxes,
                     rotation: x.labelRotation};
           })"""
    )
    for chart in drawn:
        assert chart["width"] >= 250 and chart["height"] >= 250, chart
        assert chart["legend"] is False and chart["feet"] == 1
        assert chart["rotation"] == 0
        assert all("-" not in label and len(label) <= 7 for label in chart["labels"]), chart["labels"]
        boxes = sorted(chart["boxes"])
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(boxes)), chart["labels"]  # no overlap
    assert (
        page.get_by_text("Left foot", exact=True).is_visible()
        and page.get_by_text("Right foot", exact=True).is_visible()
    )
    assert page.get_by_text("appears once at least 5 other patients").is_visible()
    screenshot(page, "two-foot-chart")
    assert_clean(page)
