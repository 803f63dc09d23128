"""Judging an upload by its bytes, and making its name safe (SECURITY.md test 8)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assets.attachments import checks
from tests.assets.attachments import files


def judge(tmp_path, data: bytes) -> str:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return checks.inspect_file(str(path))


def refusal(tmp_path, data: bytes) -> str:
    """The refusal as a Chinese clerk reads it (whatever language an earlier test left on)."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        judge(tmp_path, data)
    with translation.override("zh-hans"):
        return str(caught.value.message_dict["file"][0])


def test_allowed_types_are_named_by_their_bytes(tmp_path):
    assert judge(tmp_path, files.pdf_bytes()) == checks.PDF
    assert judge(tmp_path, files.png_bytes()) == checks.PNG
    assert judge(tmp_path, files.docx_bytes()) == checks.DOCX


def test_jpeg_gif_and_webp_are_images(tmp_path):
    import io

    from PIL import Image

    for fmt, expected in (("JPEG", checks.JPEG), ("GIF", checks.GIF), ("WEBP", checks.WEBP)):
        out = io.BytesIO()
        Image.new("RGB", (4, 4), (1, 2, 3)).save(out, fmt)
        assert judge(tmp_path, out.getvalue()) == expected


def test_an_exe_is_refused_whatever_it_is_called(tmp_path):
    assert "不接受此类文件" in refusal(tmp_path, files.exe_bytes())


def test_a_pdf_that_is_also_a_zip_is_refused(tmp_path):
    assert "ZIP" in refusal(tmp_path, files.pdf_zip_polyglot())


def test_an_image_with_html_in_its_first_bytes_is_refused(tmp_path):
    gifar = b"GIF89a<html><script>alert(1)</script>" + b"\0" * 64
    assert "脚本" in refusal(tmp_path, gifar)


def test_a_pdf_with_javascript_is_refused(tmp_path):
    data = files.pdf_bytes().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
    )
    assert b"/JavaScript" in data
    assert "脚本" in refusal(tmp_path, data)


def test_a_truncated_pdf_is_refused(tmp_path):
    assert "不完整" in refusal(tmp_path, files.pdf_bytes()[:-8])


def test_a_zip_bomb_inside_a_docx_is_refused(tmp_path):
    assert "压缩炸弹" in refusal(tmp_path, files.zip_bomb_docx())


def test_a_docx_over_the_unpacked_limit_is_refused(tmp_path, settings):
    settings.YIKA_ATTACHMENT_MAX_UNPACKED_MB = 1
    import os

    noise = os.urandom(700 * 1024)  # incompressible: the ratio is 1, the total is the limit
    data = files.docx_bytes(extra={"word/media/a.bin": noise, "word/media/b.bin": noise})
    assert "压缩炸弹" in refusal(tmp_path, data)


def test_a_docx_with_too_many_members_is_refused(tmp_path, settings):
    settings.YIKA_ATTACHMENT_MAX_MEMBERS = 10
    data = files.docx_bytes(extra={f"word/m{i}.xml": b"<x/>" for i in range(20)})
    assert "压缩炸弹" in refusal(tmp_path, data)


def test_a_macro_enabled_document_is_refused(tmp_path):
    data = files.docx_bytes(extra={"word/vbaProject.bin": b"\0" * 100})
    assert "含宏" in refusal(tmp_path, data)


def test_a_plain_zip_is_not_an_office_document(tmp_path):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "不是办公文档" in refusal(tmp_path, out.getvalue())


def test_legacy_office_files_are_refused_with_what_to_do(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert "DOCX" in refusal(tmp_path, ole)


def test_html_and_svg_are_refused(tmp_path):
    refusal(tmp_path, b"<html><body>hi</body></html>")
    refusal(tmp_path, b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>')


def test_an_empty_file_is_refused(tmp_path):
    assert "空" in refusal(tmp_path, b"")


@pytest.mark.parametrize(
    ("given", "content_type", "expected"),
    [
        ("../../etc/passwd", checks.PDF, "passwd.pdf"),
        ("..\\..\\windows\\验收报告.pdf", checks.PDF, "验收报告.pdf"),
        ("a\nb\r\x00c.pdf", checks.PDF, "abc.pdf"),
        ("invoice.exe", checks.PDF, "invoice.exe.pdf"),
        ("photo.JPEG", checks.JPEG, "photo.jpeg"),
        ("photo.png", checks.JPEG, "photo.png.jpg"),
        ("..", checks.PDF, "file.pdf"),
        ("", checks.DOCX, "file.docx"),
        ('x";y<z>.pdf', checks.PDF, "x__y_z_.pdf"),
        ("report\u202efdp.exe", checks.PDF, "reportfdp.exe.pdf"),
        (".hidden.pdf", checks.PDF, "hidden.pdf"),
    ],
)
def test_file_names_are_made_safe(given, content_type, expected):
    assert checks.safe_file_name(given, content_type) == expected


def test_long_names_are_cut_keeping_the_extension():
    name = checks.safe_file_name("长" * 300 + ".pdf", checks.PDF)
    assert name.endswith(".pdf") and len(name) <= 104
