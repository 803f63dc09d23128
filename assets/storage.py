"""Private file storage: imports no model, so every models module of `assets` can name it."""

from django.conf import settings


def private_storage():
    """Uploaded and generated files that are served only through permission-checked views."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
