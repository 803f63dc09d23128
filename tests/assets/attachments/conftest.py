import pytest

from tests.assets.attachments.files import use_attachment_storage


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    """Each test stores its evidence in its own folder, so it can count what was kept."""
    use_attachment_storage(settings, tmp_path)
    return tmp_path


def stored_files(root) -> list:
    """Every file under the attachment storage and the staging folder."""
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and ("attachments" in p.parts)
    )
