"""Draw the app's PNG icons from the hand-written SVGs in static/icons/ with the system Chromium.

Run after changing an SVG: ``.venv/bin/python scripts/make_icons.py``; the PNGs are committed (the manifest and
iOS need bitmaps). Needs Chromium at CHROMIUM_PATH (default /usr/bin/chromium), as the browser tests do.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# (source SVG, size in pixels, output PNG)
OUTPUTS = [
    ("icon.svg", 192, "icon-192.png"),
    ("icon.svg", 512, "icon-512.png"),
    ("icon-maskable.svg", 512, "icon-maskable-512.png"),
    ("icon-maskable.svg", 180, "apple-touch-icon.png"),
]


def main() -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for source, size, target in OUTPUTS:
            page = browser.new_page(viewport={"width": size, "height": size})
            svg = (ICONS / source).read_text(encoding="utf-8").replace("<svg ", '<svg width="100%" height="100%" ', 1)
            page.set_content(
                f'<html><body style="margin:0"><div style="width:{size}px;height:{size}px">{svg}</div></body></html>'
            )
            page.screenshot(
                path=str(ICONS / target), omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size}
            )
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
