"""Which catalogue answered each translated string, and which visible words are left in English.

`CatalogueSpy` wraps Django's translation lookup (`DjangoTranslation.gettext`/`ngettext`, which
`pgettext`, `{% translate %}`, `{% blocktranslate %}` and lazy strings all end in) and names,
for each zh-hans lookup, the catalogue that answered it. Django merges the catalogues into one
dictionary per language, in this precedence: LOCALE_PATHS, then INSTALLED_APPS in order, then
Django's own; the spy walks the same list, read from the compiled `.mo` files, so it names the
winner without changing what Django shows.
"""

from __future__ import annotations

import gettext as gettext_module
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.utils.translation import to_locale, trans_real

LANGUAGE = "zh-hans"
PROJECT_APPS = ("assets", "labels", "inventory")
# Django's own catalogues (core and contrib) are the framework's words; every other library's
# catalogue must not answer on our pages.
DJANGO_DIR = Path(django.__file__).resolve().parent


@dataclass(frozen=True)
class Source:
    name: str
    catalogue: dict
    project: bool
    django: bool


def catalogue_sources(language: str = LANGUAGE) -> list[Source]:
    """The catalogues Django consults for `language`, winner first."""
    locale = to_locale(language)
    sources = []

    def load(name, localedir, *, project, is_django):
        try:
            translation = gettext_module.translation("django", str(localedir), languages=[locale])
        except OSError:
            return
        sources.append(Source(name, translation._catalog, project, is_django))

    for localedir in settings.LOCALE_PATHS:
        load(f"LOCALE_PATHS {Path(localedir).name}/", localedir, project=True, is_django=False)
    for config in apps.get_app_configs():
        localedir = Path(config.path) / "locale"
        if localedir.is_dir():
            is_django = Path(config.path).resolve().is_relative_to(DJANGO_DIR)
            load(config.name, localedir, project=config.name in PROJECT_APPS, is_django=is_django)
    load("django", DJANGO_DIR / "conf" / "locale", project=False, is_django=True)
    return sources


@dataclass(frozen=True)
class Lookup:
    msgid: str
    result: str
    source: str | None  # None: no catalogue had it (the msgid is shown as written)
    project: bool
    django: bool


class CatalogueSpy:
    """Records every zh-hans lookup while active (a context manager)."""

    def __init__(self):
        self.sources = catalogue_sources()
        self.lookups: list[Lookup] = []
        self._saved = None

    def _answer(self, key) -> Source | None:
        for source in self.sources:
            if source.catalogue.get(key):
                return source
        return None

    def _record(self, translation, key, msgid, result):
        if translation.language() != LANGUAGE or not msgid:
            return
        source = self._answer(key)
        self.lookups.append(
            Lookup(
                msgid=msgid.split("\x04", 1)[-1],
                result=str(result),
                source=source.name if source else None,
                project=bool(source and source.project),
                django=bool(source and source.django),
            )
        )

    def __enter__(self):
        spy = self
        cls = trans_real.DjangoTranslation
        original_gettext, original_ngettext = cls.gettext, cls.ngettext

        def gettext(self, message):
            result = original_gettext(self, message)
            spy._record(self, message, message, result)
            return result

        def ngettext(self, msgid1, msgid2, n):
            result = original_ngettext(self, msgid1, msgid2, n)
            index = self.plural(n) if self._catalog is not None else 0
            spy._record(self, (msgid1, index), msgid1, result)
            return result

        self._saved = (original_gettext, original_ngettext)
        cls.gettext, cls.ngettext = gettext, ngettext
        return self

    def __exit__(self, *exc):
        cls = trans_real.DjangoTranslation
        cls.gettext, cls.ngettext = self._saved
        return False

    def take(self) -> list[Lookup]:
        taken, self.lookups = self.lookups, []
        return taken


# --- visible text -------------------------------------------------------------------------------
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-label", "data-confirm")


SKIPPED = ("script", "style", "template")
# Text set as code (a tag, a URL, an API field) keeps its own punctuation.
CODE_TAGS = ("code", "kbd", "samp", "pre")


class _TextParser(HTMLParser):
    def __init__(self, skipped=SKIPPED):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._skipped = skipped

    def handle_starttag(self, tag, attrs):
        if tag in self._skipped:
            self._skip += 1
        attributes = dict(attrs)
        for name in VISIBLE_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if (
            tag == "input"
            and attributes.get("type") in ("submit", "button")
            and attributes.get("value")
        ):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in self._skipped and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def visible_text(page: str, *, prose_only: bool = False) -> list[str]:
    """The text a reader sees on an HTML page: text nodes and the attributes shown to them
    (`prose_only`: without what is set as code, <code>, <kbd>, <samp>, <pre>)."""
    parser = _TextParser(SKIPPED + CODE_TAGS if prose_only else SKIPPED)
    parser.feed(page)
    return [" ".join(part.split()) for part in parser.parts]


# Words that are not English prose: product and format names, standard abbreviations.
ALLOWED_WORDS = frozenset(
    {
        "Yika",
        "PDF",
        "XLSX",
        "CSV",
        "QR",
        "API",
        "SN",
        "MAC",
        "ID",
        "URL",
        "GB",
        "SHA",
        "UTF",
        "Excel",
        "IT",
        "PC",
        "PDA",
        "mm",
        "English",
        "BOM",
        "MB",
        "KB",
        "Microsoft",
        "Google",
    }
)
WORD = re.compile(r"(?<![A-Za-z0-9_.-])[A-Za-z][A-Za-z']+(?![A-Za-z0-9_-])")
# A chunk with a slash or an @ is a path, an address or a code ("GB/T"); a URL may be broken
# over lines by a PDF, so its pieces go too.
PATHLIKE = re.compile(r"\S*[/@]\S*")


def english_words(texts: list[str], data_values: list[str]) -> list[str]:
    """Each text fragment that still has an English word once data values are taken out."""
    found = []
    for text in texts:
        rest = PATHLIKE.sub(" ", text)
        for value in data_values:
            if value in rest:
                rest = rest.replace(value, " ")
        # An all-capitals word is an abbreviation or a code (BDC, GB, MAC).
        words = [
            word for word in WORD.findall(rest) if word not in ALLOWED_WORDS and not word.isupper()
        ]
        if words:
            found.append(f"«{text[:120]}»")
    return found


def shown(result: str, content: str) -> bool:
    """Whether a translated string appears in a response (escaped or not)."""
    result = result.strip()
    return bool(result) and (result in content or html.escape(result) in content)


# --- Chinese punctuation ------------------------------------------------------------------------
# Chinese text takes full-width punctuation (RULES: ：（），、): an ASCII colon after Chinese
# ("资产分类: …"), ASCII parentheses beside or around Chinese ("市大数据中心 (BDC)", "附件 (1)",
# "(接收)") and a space before a full-width parenthesis ("名称 （…）") are a half-translated page.
CJK = "\u3400-\u9fff\uf900-\ufaff"
CJK_CLOSE = "）】」』》"
ASCII_PUNCTUATION = {
    "ASCII colon after Chinese": re.compile(f"[{CJK}{CJK_CLOSE}] ?:(?=[ \\t]|$)", re.M),
    "ASCII parenthesis beside Chinese": re.compile(
        f"[{CJK}{CJK_CLOSE}][ \\t]*\\(|\\)[ \\t]*[{CJK}]|\\([^()\\n]*[{CJK}][^()\\n]*\\)"
    ),
    "space before a full-width parenthesis": re.compile("[^\\s（][ \\t]+（"),
}
# Tags that end a line of text: what is on either side of them is not read as one phrase.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br caption dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol optgroup option p "
    "section select summary table tbody td tfoot th thead tr ul input textarea button img".split()
)


class _LineParser(HTMLParser):
    """Visible prose as lines: inline markup (<a>, <strong>, <span>) joins its neighbours, as a
    reader reads "<a>资产分类</a>: 必填" as one phrase; text set as code is left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self._skip = 0

    def _break(self):
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED + CODE_TAGS:
            self._skip += 1
        if tag in BLOCK_TAGS:
            self._break()
        attributes = dict(attrs)
        for name in VISIBLE_ATTRIBUTES:
            if attributes.get(name) and not self._skip:
                self._break()
                self.lines[-1] = attributes[name]
                self._break()

    def handle_endtag(self, tag):
        if tag in SKIPPED + CODE_TAGS and self._skip:
            self._skip -= 1
        if tag in BLOCK_TAGS:
            self._break()

    def handle_data(self, data):
        if not self._skip:
            self.lines[-1] += data


def prose_lines(page: str) -> list[str]:
    parser = _LineParser()
    parser.feed(page)
    return [" ".join(line.split()) for line in parser.lines if line.strip()]


def ascii_punctuation(texts: list[str], data_values: list[str] = ()) -> list[str]:
    """Each line with ASCII punctuation in Chinese, and what is wrong with it. URLs and paths are
    not prose; a stored value (data) holding such punctuation is taken out, as the user typed it."""
    found = []
    for text in texts:
        rest = PATHLIKE.sub(" ", text)
        for value in data_values:
            # Only a value holding the punctuation itself is taken out: a department's name
            # must stay, or "市大数据中心 (BDC)" would pass.
            if value in rest and re.search("[():（]", value):
                rest = rest.replace(value, "\u2003")
        for what, pattern in ASCII_PUNCTUATION.items():
            if pattern.search(rest):
                found.append(f"{what}: «{text[:120]}»")
    return found
