"""Label layout: a template's millimetres turned into positions, checks and drawn PDF pages.

Pure code (no models, no database): the print service hands in a `TemplateSpec` and an iterator
of `LabelContent`, and `LabelSheetWriter` streams them onto pages one at a time, so 10,000
labels never sit in memory together. The same checks run in `LabelTemplate.clean()` (admin) and
in the print service, so content cannot overflow a label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from config import formatting
from labels import pdf, qr

ALLOWED_FIELDS = ("owner", "name", "model", "in_service_on", "components")
MIN_QR_MODULE_MM = 0.2  # 2.4 dots at 300 dpi: the mini 40×20 label still decodes (tested)
MIN_FONT_PT = 4.0
MIN_TEXT_COLUMN_MM = 8.0
QR_TEXT_GAP_MM = 1.0
LINE_FACTOR = 1.18  # leading as a multiple of the font size
PT_TO_MM = 25.4 / 72
SAMPLE_TAG = "YK2026000001X"
SAMPLE_SERIAL = 9999
SAMPLE_DATE = "2026-12-31"
MAX_COMPONENT_TAGS = 4


def _f(value) -> float:
    return float(value) if isinstance(value, Decimal | int | float | str) else 0.0


@dataclass(frozen=True)
class TemplateSpec:
    """A label template's geometry and content, in millimetres and points."""

    code: str
    kind: str
    media: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int
    rows: int
    margin_left: float = 0.0
    margin_top: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    padding: float = 2.0
    panels: int = 1
    qr_size: float = 0.0
    fields: tuple[str, ...] = ()
    code128: bool = False
    code128_height: float = 6.0
    font_size: float = 8.0
    min_font_size: float = 5.0
    draw_border: bool = False

    @classmethod
    def from_template(cls, template) -> TemplateSpec:
        raw_fields = template.fields if isinstance(template.fields, list | tuple) else ()
        return cls(
            code=template.code or "",
            kind=template.kind,
            media=template.media,
            page_width=_f(template.page_width_mm),
            page_height=_f(template.page_height_mm),
            label_width=_f(template.label_width_mm),
            label_height=_f(template.label_height_mm),
            columns=int(template.columns or 0),
            rows=int(template.rows or 0),
            margin_left=_f(template.margin_left_mm),
            margin_top=_f(template.margin_top_mm),
            gap_x=_f(template.gap_x_mm),
            gap_y=_f(template.gap_y_mm),
            padding=_f(template.padding_mm),
            panels=int(template.panels or 1),
            qr_size=_f(template.qr_size_mm),
            fields=tuple(str(name) for name in raw_fields),
            code128=bool(template.code128),
            code128_height=_f(template.code128_height_mm),
            font_size=_f(template.font_size_pt),
            min_font_size=_f(template.min_font_size_pt),
            draw_border=bool(template.draw_border),
        )

    @property
    def per_page(self) -> int:
        return max(self.columns, 1) * max(self.rows, 1)

    @property
    def panel_width(self) -> float:
        return self.label_width / max(self.panels, 1)

    @property
    def tag_under_qr(self) -> bool:
        """The tag gets its own line under the QR when the label is tall enough for it."""
        spare = self.label_height - 2 * self.padding - self.qr_size
        return self.qr_size > 0 and spare >= self.min_font_size * LINE_FACTOR * PT_TO_MM + 0.3

    @property
    def text_x(self) -> float:
        """Left edge of the text column inside a panel, mm."""
        return self.padding + (self.qr_size + QR_TEXT_GAP_MM if self.qr_size > 0 else 0)

    @property
    def text_width(self) -> float:
        return self.panel_width - self.padding - self.text_x

    def text_lines(self) -> int:
        """Lines the text column must hold: the fields, plus the tag when it is not under the QR."""
        fields = [f for f in self.fields if f in ALLOWED_FIELDS]
        if self.kind == "component_sheet":
            return len(fields) + 2  # tag, fields, label strategy
        return len(fields) + (0 if self.tag_under_qr else 1)

    def text_height(self) -> float:
        height = self.label_height - 2 * self.padding
        if self.code128:
            height -= self.code128_height + 0.5
        return height


def template_problems(
    spec: TemplateSpec, *, site_url: str, sample_tag: str = SAMPLE_TAG
) -> dict[str, str]:
    """Why this template cannot print its content, field by field (empty when it can)."""
    problems: dict[str, str] = {}
    if spec.label_width <= 0 or spec.label_height <= 0:
        problems["label_width_mm"] = _("The label size must be positive.")
        return problems
    if spec.columns < 1 or spec.rows < 1:
        problems["columns"] = _("A template needs at least one column and one row.")
        return problems
    if spec.panels not in (1, 2):
        problems["panels"] = _("A label has one panel, or two for a flag label.")
        return problems
    if spec.kind == "component_sheet" and spec.media != "sheet":
        problems["media"] = _("A component sheet is printed on sheets, not rolls.")
    used_width = (
        spec.margin_left + spec.columns * spec.label_width + (spec.columns - 1) * spec.gap_x
    )
    if used_width > spec.page_width + 0.01:
        problems["columns"] = _(
            "%(columns)s columns of %(width)s mm need %(used)s mm; the page is %(page)s mm wide."
        ) % {
            "columns": spec.columns,
            "width": _num(spec.label_width),
            "used": _num(used_width),
            "page": _num(spec.page_width),
        }
    used_height = spec.margin_top + spec.rows * spec.label_height + (spec.rows - 1) * spec.gap_y
    if used_height > spec.page_height + 0.01:
        problems["rows"] = _(
            "%(rows)s rows of %(height)s mm need %(used)s mm; the page is %(page)s mm high."
        ) % {
            "rows": spec.rows,
            "height": _num(spec.label_height),
            "used": _num(used_height),
            "page": _num(spec.page_height),
        }
    unknown = [name for name in spec.fields if name not in ALLOWED_FIELDS]
    if unknown or len(set(spec.fields)) != len(spec.fields):
        problems["fields"] = _("Printed fields must be distinct and among: %(allowed)s.") % {
            "allowed": formatting.text_list(ALLOWED_FIELDS)
        }
    if spec.font_size < MIN_FONT_PT or spec.min_font_size < MIN_FONT_PT:
        problems["min_font_size_pt"] = _("Text smaller than %(size)s pt cannot be read.") % {
            "size": _num(MIN_FONT_PT)
        }
    elif spec.min_font_size > spec.font_size:
        problems["min_font_size_pt"] = _("The smallest font size exceeds the font size.")
    if spec.qr_size <= 0:
        problems["qr_size_mm"] = _("Every label carries the card's QR code; give it a size.")
        return problems
    room = min(spec.label_height, spec.panel_width) - 2 * spec.padding
    if spec.qr_size > room + 0.001:
        problems["qr_size_mm"] = _(
            "A %(qr)s mm QR code does not fit: the label leaves %(room)s mm inside its padding."
        ) % {"qr": _num(spec.qr_size), "room": _num(room)}
        return problems
    payload = qr.encode(site_url=site_url, tag=sample_tag, label_serial=SAMPLE_SERIAL)
    module = spec.qr_size / pdf.qr_modules(payload)
    if module < MIN_QR_MODULE_MM:
        problems["qr_size_mm"] = _(
            "At %(qr)s mm the QR code's modules would be %(module)s mm; scanners need at least "
            "%(min)s mm. Make the QR code larger or SITE_URL shorter."
        ) % {"qr": _num(spec.qr_size), "module": f"{module:.2f}", "min": _num(MIN_QR_MODULE_MM)}
    if "min_font_size_pt" in problems or "fields" in problems:
        return problems
    min_pt = spec.min_font_size
    if spec.tag_under_qr:
        if pdf.string_width(sample_tag, min_pt) > spec.qr_size * mm:
            problems["qr_size_mm"] = _(
                "The tag %(tag)s does not fit under a %(qr)s mm QR code at %(size)s pt."
            ) % {"tag": sample_tag, "qr": _num(spec.qr_size), "size": _num(min_pt)}
    lines = spec.text_lines()
    if lines:
        if spec.text_width < MIN_TEXT_COLUMN_MM:
            problems["label_width_mm"] = _(
                "The text beside the QR code gets %(width)s mm; it needs at least %(min)s mm."
            ) % {"width": _num(spec.text_width), "min": _num(MIN_TEXT_COLUMN_MM)}
            return problems
        if not spec.tag_under_qr and pdf.string_width(sample_tag, min_pt) > spec.text_width * mm:
            problems["label_width_mm"] = _(
                "The tag %(tag)s does not fit in %(width)s mm at %(size)s pt."
            ) % {"tag": sample_tag, "width": _num(spec.text_width), "size": _num(min_pt)}
        need = lines * min_pt * LINE_FACTOR * PT_TO_MM
        if need > spec.text_height() + 0.001:
            problems["fields"] = _(
                "%(lines)s lines of text need %(need)s mm at %(size)s pt; the label has %(have)s mm."
            ) % {
                "lines": lines,
                "need": _num(need),
                "size": _num(min_pt),
                "have": _num(max(spec.text_height(), 0)),
            }
    if spec.code128:
        if spec.code128_height < 4:
            problems["code128_height_mm"] = _("A Code 128 needs at least 4 mm of height.")
        elif spec.text_width <= 0 or pdf.code128_min_width(sample_tag) > spec.text_width * mm:
            problems["code128"] = _(
                "A Code 128 of %(tag)s needs %(need)s mm; the label has %(have)s mm beside the QR."
            ) % {
                "tag": sample_tag,
                "need": _num(pdf.code128_min_width(sample_tag) / mm),
                "have": _num(max(spec.text_width, 0)),
            }
    return problems


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class LabelContent:
    """What one label shows: stable card data only (DOMAIN.md §7)."""

    tag: str
    url: str
    owner: str = ""
    name: str = ""
    model: str = ""
    in_service_on: date | None = None
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComponentRow:
    tag: str
    url: str
    name: str = ""
    model: str = ""
    serial_number: str = ""
    label_mode: str = ""


@dataclass(frozen=True)
class HostSheet:
    """A host and every embedded component it holds, for the A4 component sheet."""

    tag: str
    url: str
    name: str
    owner: str
    location: str
    components: tuple[ComponentRow, ...] = field(default_factory=tuple)
    # Embedded components outside the requester's scope: counted, not listed.
    hidden: int = 0


def default_captions() -> dict[str, str]:
    """Translated captions, looked up once per batch (not once per label)."""
    return {
        "in_service_on": _("In service %(date)s"),
        "components": _("Contains: %(tags)s"),
        "more": _("+%(count)s more"),
        "sheet_title": _("Component sheet of %(tag)s %(name)s"),
        "sheet_continued": _("(continued)"),
        "sheet_owner": _("Owner: %(owner)s"),
        "sheet_location": _("Location: %(location)s"),
        "sheet_none": _("This host holds no embedded components."),
        "sheet_keep": _(
            "Keep this component sheet inside the cabinet door or with the paper card."
        ),
        "serial_number": _("SN %(sn)s"),
    }


class LabelSheetWriter:
    """Streams labels onto PDF pages: each page is finished and compressed as soon as it is full."""

    def __init__(
        self,
        target,
        spec: TemplateSpec,
        *,
        title: str = "",
        captions: dict[str, str] | None = None,
        compress: bool = True,
    ):
        self.spec = spec
        self.font = pdf.cjk_font()
        self.captions = captions or default_captions()
        self.canvas = Canvas(
            pdf.pdf_target(target),
            pagesize=(spec.page_width * mm, spec.page_height * mm),
            pageCompression=1 if compress else 0,
            initialFontName=self.font,
            initialFontSize=spec.font_size,
        )
        self.canvas.setTitle(pdf.clean_text(title) or "Yika labels")
        self.canvas.setAuthor("Yika")
        self.count = 0
        self.pages = 0
        self._slot = 0
        self._positions = self._slot_positions()

    def _slot_positions(self) -> list[tuple[float, float]]:
        spec = self.spec
        positions = []
        for row in range(spec.rows):
            for column in range(spec.columns):
                x = spec.margin_left + column * (spec.label_width + spec.gap_x)
                top = spec.margin_top + row * (spec.label_height + spec.gap_y)
                y = spec.page_height - top - spec.label_height
                positions.append((x * mm, y * mm))
        return positions

    def add(self, content: LabelContent) -> None:
        x, y = self._positions[self._slot]
        self.draw_label(content, x, y)
        self.count += 1
        self._slot += 1
        if self._slot == len(self._positions):
            self._finish_page()

    def _finish_page(self) -> None:
        self.canvas.showPage()
        self.pages += 1
        self._slot = 0

    def close(self) -> int:
        """Finish the last page and write the file; returns the page count."""
        if self._slot:
            self._finish_page()
        if self.pages == 0:
            self._finish_page()
        self.canvas.save()
        return self.pages

    def draw_label(self, content: LabelContent, x: float, y: float) -> None:
        spec = self.spec
        canvas = self.canvas
        if spec.draw_border:
            canvas.setLineWidth(0.3)
            canvas.setStrokeGray(0.6)
            canvas.rect(x, y, spec.label_width * mm, spec.label_height * mm, stroke=1, fill=0)
        matrix = pdf.qr_matrix(content.url)
        panel = spec.panel_width * mm
        for index in range(spec.panels):
            self._draw_panel(content, matrix, x + index * panel, y)

    def _text_lines(self, content: LabelContent) -> list[tuple[str, bool]]:
        lines: list[tuple[str, bool]] = []
        if not self.spec.tag_under_qr:
            lines.append((content.tag, True))
        for name in self.spec.fields:
            if name == "owner":
                lines.append((content.owner, False))
            elif name == "name":
                lines.append((content.name, False))
            elif name == "model":
                lines.append((content.model, False))
            elif name == "in_service_on":
                if content.in_service_on:
                    text = self.captions["in_service_on"] % {
                        "date": content.in_service_on.isoformat()
                    }
                    lines.append((text, False))
            elif name == "components" and content.components:
                lines.append((self._components_line(content.components), False))
        return [(text, is_tag) for text, is_tag in lines if text]

    def _components_line(self, tags: Sequence[str]) -> str:
        shown = formatting.text_list(tags[:MAX_COMPONENT_TAGS])
        if len(tags) > MAX_COMPONENT_TAGS:
            shown += " " + self.captions["more"] % {"count": len(tags) - MAX_COMPONENT_TAGS}
        return self.captions["components"] % {"tags": shown}

    def _draw_panel(self, content: LabelContent, matrix, x: float, y: float) -> None:
        spec = self.spec
        canvas = self.canvas
        pad = spec.padding * mm
        height = spec.label_height * mm
        qr_size = spec.qr_size * mm
        min_pt = spec.min_font_size
        if spec.tag_under_qr:
            qr_y = y + height - pad - qr_size
        else:
            qr_y = y + (height - qr_size) / 2
        pdf.draw_qr(canvas, content.url, x=x + pad, y=qr_y, size=qr_size, matrix=matrix)
        if spec.tag_under_qr:
            spare = qr_y - (y + pad)
            size = min(spec.font_size, spare / LINE_FACTOR)
            pdf.draw_fitted_string(
                canvas,
                content.tag,
                x=x + pad,
                y=qr_y - size,
                width=qr_size,
                size=size,
                min_size=min_pt,
                font=self.font,
                align="center",
            )
        text_x = x + spec.text_x * mm
        text_width = spec.text_width * mm
        bottom = y + pad
        if spec.code128 and text_width > 0:
            bar_height = spec.code128_height * mm
            pdf.draw_code128(
                canvas, content.tag, x=text_x, y=bottom, width=text_width, height=bar_height
            )
            bottom += bar_height + 0.5 * mm
        lines = self._text_lines(content)
        if not lines or text_width <= 0:
            return
        top = y + height - pad
        size = max(min(spec.font_size, (top - bottom) / (len(lines) * LINE_FACTOR)), min_pt)
        baseline = top - size
        for text, _is_tag in lines:
            pdf.draw_fitted_string(
                canvas,
                text,
                x=text_x,
                y=baseline,
                width=text_width,
                size=size,
                min_size=min_pt,
                font=self.font,
            )
            baseline -= size * LINE_FACTOR


class ComponentSheetWriter:
    """A4 pages, one section per host: the host's QR and, per embedded component, its own QR."""

    def __init__(self, target, spec: TemplateSpec, *, title: str = "", captions=None):
        self.spec = spec
        self.font = pdf.cjk_font()
        self.captions = captions or default_captions()
        self.canvas = Canvas(
            pdf.pdf_target(target),
            pagesize=(spec.page_width * mm, spec.page_height * mm),
            pageCompression=1,
            initialFontName=self.font,
        )
        self.canvas.setTitle(pdf.clean_text(title) or "Yika component sheets")
        self.canvas.setAuthor("Yika")
        self.count = 0
        self.pages = 0

    def add(self, host: HostSheet) -> None:
        rows = list(host.components)
        first = True
        while first or rows:
            self._header(host, continued=not first)
            chunk, rows = rows[: self.spec.rows], rows[self.spec.rows :]
            if first and not chunk and not host.hidden:
                self._note(self.captions["sheet_none"])
            for index, row in enumerate(chunk):
                self._row(row, index)
            self.canvas.showPage()
            self.pages += 1
            first = False
        self.count += 1

    def close(self) -> int:
        if self.pages == 0:
            self.canvas.showPage()
            self.pages = 1
        self.canvas.save()
        return self.pages

    def _header(self, host: HostSheet, *, continued: bool) -> None:
        spec = self.spec
        canvas = self.canvas
        left = spec.margin_left * mm
        width = spec.label_width * mm
        top = spec.page_height * mm - 12 * mm
        qr_size = 26 * mm
        pdf.draw_qr(
            canvas, host.url, x=left + width - qr_size, y=top - qr_size + 4 * mm, size=qr_size
        )
        text_width = width - qr_size - 4 * mm
        title = self.captions["sheet_title"] % {"tag": host.tag, "name": host.name}
        if continued:
            title += " " + self.captions["sheet_continued"]
        pdf.draw_fitted_string(
            canvas, title, x=left, y=top - 2 * mm, width=text_width, size=13, min_size=8
        )
        total = len(host.components) + host.hidden
        count = ngettext("%(count)s embedded component", "%(count)s embedded components", total) % {
            "count": total
        }
        if host.hidden:
            # On the count's line: the header has room for four lines above the first row.
            count += " " + ngettext(
                "One more component is outside your scope and not listed.",
                "%(counter)s more components are outside your scope and not listed.",
                host.hidden,
            ) % {"counter": host.hidden}
        details = [
            self.captions["sheet_owner"] % {"owner": host.owner},
            self.captions["sheet_location"] % {"location": host.location or "—"},
            count,
            self.captions["sheet_keep"],
        ]
        baseline = top - 9 * mm
        for text in details:
            pdf.draw_fitted_string(
                canvas, text, x=left, y=baseline, width=text_width, size=9, min_size=6
            )
            baseline -= 4.8 * mm

    def _note(self, text: str) -> None:
        spec = self.spec
        y = spec.page_height * mm - spec.margin_top * mm - 8 * mm
        pdf.draw_fitted_string(
            self.canvas,
            text,
            x=spec.margin_left * mm,
            y=y,
            width=spec.label_width * mm,
            size=10,
        )

    def _row(self, row: ComponentRow, index: int) -> None:
        spec = self.spec
        canvas = self.canvas
        x = spec.margin_left * mm
        top = (spec.margin_top + index * (spec.label_height + spec.gap_y)) * mm
        y = spec.page_height * mm - top - spec.label_height * mm
        height = spec.label_height * mm
        pad = spec.padding * mm
        if spec.draw_border:
            canvas.setLineWidth(0.3)
            canvas.setStrokeGray(0.6)
            canvas.rect(x, y, spec.label_width * mm, height, stroke=1, fill=0)
        qr_size = spec.qr_size * mm
        pdf.draw_qr(canvas, row.url, x=x + pad, y=y + (height - qr_size) / 2, size=qr_size)
        text_x = x + spec.text_x * mm
        text_width = spec.text_width * mm
        lines: list[str] = [row.tag]
        for name in spec.fields:
            value = getattr(row, name, "")
            if value:
                lines.append(value)
        if row.serial_number:
            lines.append(self.captions["serial_number"] % {"sn": row.serial_number})
        if row.label_mode:
            lines.append(row.label_mode)
        size = min(spec.font_size, (height - 2 * pad) / (len(lines) * LINE_FACTOR))
        size = max(size, spec.min_font_size)
        baseline = y + height - pad - size
        for number, text in enumerate(lines):
            pdf.draw_fitted_string(
                canvas,
                text,
                x=text_x,
                y=baseline,
                width=text_width,
                size=size * (1.15 if number == 0 else 1),
                min_size=spec.min_font_size,
            )
            baseline -= size * LINE_FACTOR


def write_labels(
    target,
    spec: TemplateSpec,
    contents: Iterable[LabelContent],
    *,
    title: str = "",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 200,
) -> tuple[int, int]:
    """Render `contents` with `spec` into `target`; returns (labels, pages)."""
    writer = LabelSheetWriter(target, spec, title=title)
    for content in contents:
        writer.add(content)
        if progress is not None and writer.count % progress_every == 0:
            progress(writer.count)
    pages = writer.close()
    return writer.count, pages


def write_component_sheets(
    target,
    spec: TemplateSpec,
    hosts: Iterable[HostSheet],
    *,
    title: str = "",
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """One section of A4 pages per host; returns (hosts, pages)."""
    writer = ComponentSheetWriter(target, spec, title=title)
    for host in hosts:
        writer.add(host)
        if progress is not None:
            progress(writer.count)
    pages = writer.close()
    return writer.count, pages
