"""Icons are inline SVG, never emoji or symbol characters (issue 14.5: 🔔 showed as □ on a PC
without an emoji font)."""

import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

BASE = Path(settings.BASE_DIR)
# Emoji and pictographs, dingbats and miscellaneous symbols/technical signs (☰ ✓ ✗ ⚠ ⏳ 📷 🔔),
# geometric and misc. symbols-and-arrows blocks, and the emoji presentation selector. Plain
# typographic arrows (→) and box drawing stay allowed: every CJK text font has them.
ICON_CHARACTERS = re.compile(
    "["
    "\u2300-\u23ff"  # Miscellaneous Technical (⌫ ⏳ ⏰)
    "\u2460-\u24ff"  # Enclosed Alphanumerics (① ⓘ)
    "\u25a0-\u25ff"  # Geometric Shapes (■ ▶ ●)
    "\u2600-\u27bf"  # Miscellaneous Symbols, Dingbats (☰ ✓ ✗ ⚠ ✔)
    "\u2b00-\u2bff"  # Miscellaneous Symbols and Arrows (⬆ ⭐)
    "\ufe0f"  # emoji presentation selector
    "\U0001f000-\U0001faff"  # emoji and pictographs (🔔 📷 ✅)
    "]"
)


def _sources():
    for app in ("assets", "labels", "inventory", "config"):
        root = BASE / app
        for path in sorted(root.rglob("*")):
            if not path.is_file() or "vendor" in path.parts:
                continue
            if "templates" in path.parts and path.suffix in (".html", ".txt"):
                yield path
            elif "static" in path.parts and path.suffix in (".js", ".css", ".svg"):
                yield path


SOURCES = list(_sources())


def test_the_scan_finds_the_templates_and_scripts():
    names = {path.name for path in SOURCES}
    assert {"base.html", "app.js", "app.css", "scan.js"} <= names, names


def test_no_template_script_or_stylesheet_draws_an_icon_with_a_character():
    found = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in ICON_CHARACTERS.finditer(line):
                char = match.group()
                name = unicodedata.name(char, f"U+{ord(char):04X}")
                found.append(f"{path.relative_to(BASE)}:{number}: {char!r} ({name})")
    assert not found, (
        "icon characters need an emoji or symbol font; use "
        '{% include "includes/icon.html" with name=… %} (inline SVG) instead:\n  '
        + "\n  ".join(found)
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_header_icons_are_inline_svg_with_a_text_name(db, language):
    user = UserFactory(username="icon-clerk", roles=["clerk"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(user)
    page = client.get(reverse("assets:asset-list")).content.decode()
    bell = re.search(r'<a class="bell".*?</a>', page, re.S).group()
    assert '<svg class="icon icon--bell"' in bell and "<path" in bell
    assert "visually-hidden" in bell  # the icon is decorative; the link has a name
    toggle = re.search(r'<button type="button" class="nav-toggle".*?</button>', page, re.S).group()
    assert '<svg class="icon icon--menu"' in toggle
    assert not ICON_CHARACTERS.search(page), ICON_CHARACTERS.findall(page)
