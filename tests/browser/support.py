"""What every browser journey checks on every page it visits, and the camera/print helpers.

`Visit` wraps a Playwright page: it records console errors, and `check()` runs axe-core (no
serious or critical violation), looks for untranslated text in Chinese pages and, when
YIKA_SCREENSHOTS=1, writes a screenshot to docs/screenshots/ for the user guide.
"""

import io
import os
import re
import subprocess
from pathlib import Path

import zxingcpp
from django.utils import translation
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "pass-word-123"  # tests/factories.py UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 860}}

# Words that stay Latin in a Chinese page: the brand, file formats and units shown as codes.
ALLOWED_LATIN = {"Yika", "English", "SN", "QR", "PDF", "XLSX", "CSV", "CNY", "SHA", "API", "PDA"}

UNTRANSLATED_JS = """
(allowed) => {
  const found = [];
  const hasCjk = (s) => /[\\u3400-\\u9fff\\uff00-\\uffef]/.test(s);
  const english = (s) => {
    if (hasCjk(s)) return false;
    // A token with a digit is a code or a tag; an all-capitals token is an abbreviation.
    const words = s.split(/[\\s·:,.;!?()\\[\\]{}"'“”‘’/|\\-–—…>›<+=*#%&]+/).filter(Boolean);
    const bad = words.filter((w) => /^[A-Za-z]{2,}$/.test(w) && w !== w.toUpperCase()
      && !allowed.includes(w));
    return bad.length > 0;
  };
  const visible = (el) => el && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || el.closest("script, style, noscript, code, .mono")) continue;
    if (el.closest("option") ? !visible(el.closest("select")) : !visible(el)) continue;
    if (english(text)) found.push(text);
  }
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], img[alt]")) {
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value && english(value)) found.push(name + "=" + value);
    }
  }
  return found;
}
"""

AXE_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.help + " — "
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " " + n.failureSummary).join(" | "));
}
"""


def user_data_words() -> set[str]:
    """Latin words that are data, not interface: usernames, codes, and the names of label
    templates (rows an administrator edits, possibly in Latin script)."""
    from django.contrib.auth import get_user_model

    from assets.models import Department, Location
    from labels.models import LabelTemplate

    words = set(get_user_model().objects.values_list("username", flat=True))
    words |= set(Department.objects.values_list("code", flat=True))
    words |= set(Location.objects.values_list("code", flat=True))
    for name in LabelTemplate.objects.values_list("name", flat=True):
        words |= set(re.findall(r"[A-Za-z]+", name))
    return words


def gettext_in(language: str, message: str) -> str:
    """The text a user of `language` sees for a source string (the app catalogues)."""
    with translation.override(language):
        return str(translation.gettext(message))


class Visit:
    """One browser tab of one user: console errors are collected from the start."""

    def __init__(self, context, *, language: str, allowed_words=(), shots: str = ""):
        self.context = context
        self.page = context.new_page()
        self.language = language
        self.allowed = sorted(ALLOWED_LATIN | user_data_words() | set(allowed_words))
        self.shots = shots
        self.errors: list[str] = []
        self.expected_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message):
        if message.type != "error":
            return
        if any(pattern in message.text for pattern in self.expected_errors):
            return
        self.errors.append(message.text)

    def t(self, message: str) -> str:
        return gettext_in(self.language, message)

    def goto(self, url: str):
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        return response

    def check(self, shot: str = "", *, full_page: bool = False):
        """The page is accessible, translated and error-free; optionally photographed."""
        page = self.page
        page.wait_for_load_state("load")
        where = page.url
        lang = page.get_attribute("html", "lang")
        assert lang == self.language, f"{where}: <html lang={lang!r}>"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_JS)
        assert not violations, f"{where}: accessibility violations:\n" + "\n".join(violations)
        if self.language.startswith("zh"):
            untranslated = page.evaluate(UNTRANSLATED_JS, self.allowed)
            assert not untranslated, f"{where}: untranslated text: {untranslated}"
        assert not self.errors, f"{where}: console errors: {self.errors}"
        if shot:
            self.screenshot(shot, full_page=full_page)

    def screenshot(self, name: str, *, full_page: bool = False):
        """docs/screenshots/<language>/<name>.png when YIKA_SCREENSHOTS=1 (small palette PNGs)."""
        if os.environ.get("YIKA_SCREENSHOTS") != "1":
            return
        folder = SCREENSHOTS / ("zh" if self.language.startswith("zh") else "en")
        folder.mkdir(parents=True, exist_ok=True)
        png = self.page.screenshot(full_page=full_page, animations="disabled", caret="hide")
        image = Image.open(io.BytesIO(png)).convert("RGB")
        image = image.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        image.save(folder / f"{name}.png", optimize=True)


def tab_to(page, selector: str, *, presses: int = 80, shift: bool = False) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    key = "Shift+Tab" if shift else "Tab"
    for _ in range(presses):
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} cannot be reached with the keyboard ({presses} × {key})")


def sign_in(visit: Visit, base_url: str, username: str) -> None:
    """The login page, by keyboard: username, Tab, password, Enter."""
    page = visit.page
    visit.goto(f"{base_url}/accounts/login/")
    visit.check("login" if username == "clerk" else "")
    tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def pdf_first_page_png(pdf: Path, out_stem: Path, *, dpi: int = 200) -> Path:
    """Rasterise the first page of a PDF with poppler's pdftoppm."""
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", pdf, out_stem],
        check=True,
        timeout=60,
    )
    return out_stem.with_suffix(".png")


def decode_qr(image: Image.Image):
    """All QR codes in the picture, as zxing-cpp results (text and position)."""
    return [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def crop_label(image: Image.Image, result, *, margin: float = 0.6) -> Image.Image:
    """The printed label around a decoded QR: the code plus a margin of its own size."""
    position = result.position
    xs = [
        position.top_left.x,
        position.top_right.x,
        position.bottom_left.x,
        position.bottom_right.x,
    ]
    ys = [
        position.top_left.y,
        position.top_right.y,
        position.bottom_left.y,
        position.bottom_right.y,
    ]
    size = max(max(xs) - min(xs), max(ys) - min(ys))
    pad = int(size * margin)
    box = (
        max(min(xs) - pad, 0),
        max(min(ys) - pad, 0),
        min(max(xs) + pad, image.width),
        min(max(ys) + pad, image.height),
    )
    return image.crop(box)


def write_y4m(picture: Image.Image, path: Path, *, width: int = 640, height: int = 480) -> Path:
    """A still camera stream for Chromium's fake capture device: YUV4MPEG2, 4:2:0, a few frames.

    The picture is centred on a grey desk so the label fills about two thirds of the frame.
    """
    frame = Image.new("RGB", (width, height), (128, 128, 120))
    label = picture.convert("RGB")
    scale = min(width * 0.7 / label.width, height * 0.8 / label.height)
    label = label.resize((int(label.width * scale), int(label.height * scale)), Image.LANCZOS)
    frame.paste(label, ((width - label.width) // 2, (height - label.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = (
        y.tobytes() + cb.resize(half, Image.BOX).tobytes() + cr.resize(half, Image.BOX).tobytes()
    )
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"".join(b"FRAME\n" + planes for _ in range(3)))
    return path


def texts(page, selector: str) -> list[str]:
    return [re.sub(r"\s+", " ", t).strip() for t in page.locator(selector).all_inner_texts()]
