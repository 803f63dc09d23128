"""Reading the project's translation catalogues, and extracting the msgids its sources use.

Extraction is Django's own: templates go through `django.utils.translation.template.templatize`
and everything through xgettext with the keywords `makemessages` passes, into a temporary
directory (the catalogues in the tree are never written). Catalogues are read from the `.po`
files (so a fuzzy or empty entry counts as missing, as it would for a translator).
"""

from __future__ import annotations

import ast
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR)

# Which catalogue answers for which source tree: each app's own, `locale/` for config.
CATALOGUE_OF = {
    "assets": BASE_DIR / "assets" / "locale",
    "labels": BASE_DIR / "labels" / "locale",
    "inventory": BASE_DIR / "inventory" / "locale",
    "config": BASE_DIR / "locale",
}
LANGUAGE_DIR = "zh_Hans"

# The keywords `makemessages` gives xgettext (django/core/management/commands/makemessages.py).
XGETTEXT_KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]

CONTEXT_SEPARATOR = "\x04"


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: `key` is msgid, or `context\\x04msgid` as gettext looks it up."""

    key: str
    translations: tuple[str, ...]
    fuzzy: bool
    references: tuple[str, ...] = ()

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.translations) and all(self.translations)


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def parse_po(text: str) -> dict[str, Entry]:
    """The entries of a .po file by lookup key (header and obsolete `#~` entries left out)."""
    entries: dict[str, Entry] = {}
    block: dict[str, list[str]] = {}
    flags: set[str] = set()
    references: list[str] = []
    current: str | None = None

    def flush():
        nonlocal block, flags, references, current
        if "msgid" in block:
            msgid = "".join(block["msgid"])
            if msgid:
                key = msgid
                if "msgctxt" in block:
                    key = "".join(block["msgctxt"]) + CONTEXT_SEPARATOR + msgid
                translations = tuple(
                    "".join(value)
                    for name, value in sorted(block.items())
                    if name.startswith("msgstr")
                )
                entries[key] = Entry(key, translations, "fuzzy" in flags, tuple(references))
        block, flags, references, current = {}, set(), [], None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if "msgid" in block:
                flush()
            flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#:"):
            if "msgid" in block:
                flush()
            references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is not None:
                block[current].append(_unquote(line))
            continue
        name, _, value = line.partition(" ")
        if name in ("msgctxt", "msgid") and "msgid" in block:
            flush()  # a new entry without a blank line before it
        current = name
        block[name] = [_unquote(value)]
    flush()
    return entries


def catalogue(tree: str) -> dict[str, Entry]:
    path = CATALOGUE_OF[tree] / LANGUAGE_DIR / "LC_MESSAGES" / "django.po"
    return parse_po(path.read_text(encoding="utf-8"))


def source_files(tree: str) -> list[Path]:
    root = BASE_DIR / tree
    files = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt") or not path.is_file():
            continue
        parts = path.relative_to(root).parts
        if "migrations" in parts or "locale" in parts or "static" in parts:
            continue
        if path.suffix == ".txt" and "templates" not in parts:
            continue
        if tree == "config" and path.name.startswith("settings_test"):
            continue
        files.append(path)
    return files


def extract(tree: str) -> dict[str, Entry]:
    """Every msgid the sources of `tree` mark for translation, as xgettext finds them."""
    with tempfile.TemporaryDirectory(prefix="yika-i18n-") as tmp:
        work = Path(tmp)
        inputs = []
        for index, path in enumerate(source_files(tree)):
            relative = path.relative_to(BASE_DIR)
            if path.suffix == ".py":
                inputs.append(str(path))
                continue
            content = path.read_text(encoding="utf-8")
            converted = work / f"{index:04d}__{relative.as_posix().replace('/', '__')}.py"
            converted.write_text(templatize(content, origin=str(relative)), encoding="utf-8")
            inputs.append(str(converted))
        listing = work / "files.txt"
        listing.write_text("\n".join(inputs), encoding="utf-8")
        output = work / "out.pot"
        subprocess.run(
            [
                "xgettext",
                "-d",
                "django",
                "--language=Python",
                *XGETTEXT_KEYWORDS,
                "--from-code=UTF-8",
                "--no-wrap",
                "--force-po",
                f"--files-from={listing}",
                f"--output={output}",
            ],
            check=True,
            capture_output=True,
        )
        text = output.read_text(encoding="utf-8")
    found = parse_po(text)
    # Name templates by their real path rather than the temporary file.
    renamed = {}
    for key, entry in found.items():
        refs = tuple(_source_name(ref) for ref in entry.references)
        renamed[key] = Entry(key, entry.translations, entry.fuzzy, refs)
    return renamed


def _source_name(reference: str) -> str:
    path, _, line = reference.rpartition(":")
    if "yika-i18n-" in path:
        name = path.rsplit("/", 1)[-1].split("__", 1)[-1].replace("__", "/").removesuffix(".py")
        return f"{name}:{line}"
    return f"{Path(path).resolve().relative_to(BASE_DIR)}:{line}"


def missing_translations(tree: str) -> list[tuple[str, tuple[str, ...]]]:
    """(msgid, where it is used) for each msgid of `tree` its catalogue does not translate."""
    known = catalogue(tree)
    missing = []
    for key, entry in sorted(extract(tree).items()):
        if key not in known or not known[key].translated:
            missing.append((key, entry.references))
    return missing
