"""A rendered page read as elements, for tests of its accessibility wiring (which input a message belongs to)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    text: str = ""
    children_text: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)


class Page(HTMLParser):
    """Every element of ``html`` in document order, each with its attributes and the text inside it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self._open[-1] if self._open else None)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs), parent=self._open[-1] if self._open else None))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                for element in self._open[i:]:
                    element.text = re.sub(r"\s+", " ", "".join(element.children_text)).strip()
                del self._open[i:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.children_text.append(data)

    def by_id(self, id_: str) -> Element:
        found = [e for e in self.elements if e.get("id") == id_]
        assert len(found) == 1, f"{len(found)} elements with id {id_!r}"
        return found[0]

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.get(k) == v for k, v in attrs.items())]

    def ancestor(self, element: Element, tag: str) -> Element:
        parent = element.parent
        while parent is not None and parent.tag != tag:
            parent = parent.parent
        assert parent is not None, f"no <{tag}> around <{element.tag} id={element.get('id')!r}>"
        return parent

    def description(self, element: Element) -> str:
        """What a screen reader reads as the element's description: the texts its aria-describedby names."""
        return " ".join(self.by_id(i).text for i in (element.get("aria-describedby") or "").split())

    def label_of(self, element: Element) -> str:
        labels = self.find("label", **{"for": element.get("id") or ""})
        assert len(labels) == 1, f"{len(labels)} labels for {element.get('id')!r}"
        return labels[0].text

    def assert_wiring_resolves(self) -> None:
        """Ids are unique, and every id that a label or an aria attribute names is on the page."""
        ids = [i for e in self.elements if (i := e.get("id"))]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"duplicate ids: {duplicates}"
        known = set(ids)
        for e in self.elements:
            for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
                for ref in (e.get(name) or "").split():
                    assert ref in known, f"<{e.tag} {name}={ref!r}> names no element"
            if e.tag == "label" and e.get("for"):
                assert e.get("for") in known, f"<label for={e.get('for')!r}> names no element"
            href = e.get("href") or ""
            if e.tag == "a" and href.startswith("#") and len(href) > 1:
                assert href[1:] in known, f"<a href={href!r}> names no element"
