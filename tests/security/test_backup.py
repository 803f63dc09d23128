"""Backup/restore drill (SECURITY.md test 18): back up a live register, restore it into a fresh
database and fresh folders in another process, and find every card, label, event, campaign and
handover again, with every stored PDF byte for byte."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from assets.models import Asset, AssetEvent, Handover
from config import backup
from inventory.models import StocktakeCampaign, StocktakeScan
from labels.models import Label, PrintBatch
from tests.database import database_url
from tests.security.world import build_world

ROOT = Path(__file__).resolve().parents[2]

# Printed as JSON by the restored site: what a person checking the drill would look at.
INVENTORY = """
import hashlib, json, django
django.setup()
from django.conf import settings
from pathlib import Path
from assets.models import Asset, AssetEvent, Handover
from inventory.models import StocktakeCampaign, StocktakeScan
from labels.models import Label, PrintBatch
private = Path(settings.PRIVATE_MEDIA_ROOT)
def sha(name):
    path = private / name
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
print(json.dumps({
    "cards": sorted(Asset.objects.values_list("tag", flat=True)),
    "events": AssetEvent.objects.count(),
    "labels": sorted(Label.objects.values_list("asset__tag", "serial")),
    "campaigns": sorted(StocktakeCampaign.objects.values_list("name", flat=True)),
    "scans": StocktakeScan.objects.count(),
    "batch_pdfs": {str(b.pk): sha(b.file.name) for b in PrintBatch.objects.exclude(file="")},
    "certificates": {h.number: [h.certificate_sha256, sha(h.certificate_file)]
                     for h in Handover.objects.exclude(certificate_file="")},
}))
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "source" / "private"
    settings.MEDIA_ROOT = tmp_path / "source" / "media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def world(private_root, centre, other_bureau, clerk, other_clerk, receiver, admin_user):
    return build_world(
        centre=centre,
        other_bureau=other_bureau,
        clerk=clerk,
        other_clerk=other_clerk,
        receiver=receiver,
        admin_user=admin_user,
    )


def expected_inventory(private_root):
    def sha(name):
        return sha256(Path(private_root) / name)

    return {
        "cards": sorted(Asset.objects.values_list("tag", flat=True)),
        "events": AssetEvent.objects.count(),
        "labels": sorted(list(t) for t in Label.objects.values_list("asset__tag", "serial")),
        "campaigns": sorted(StocktakeCampaign.objects.values_list("name", flat=True)),
        "scans": StocktakeScan.objects.count(),
        "batch_pdfs": {str(b.pk): sha(b.file.name) for b in PrintBatch.objects.exclude(file="")},
        "certificates": {
            h.number: [h.certificate_sha256, sha(h.certificate_file)]
            for h in Handover.objects.exclude(certificate_file="")
        },
    }


@pytest.fixture
def fresh_database(tmp_path):
    """DATABASE_URL of an empty database on the suite's server."""
    name = f"yika_restore_{uuid.uuid4().hex[:10]}"
    admin = connection.get_new_connection(connection.get_connection_params())
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield database_url(name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def site_env(database_url, var_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL=database_url,
        YIKA_VAR_DIR=str(var_dir),
    )
    return env


def manage(env, *args):
    result = subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_into_a_fresh_database_brings_everything_back(
    world, private_root, fresh_database, tmp_path
):
    expected = expected_inventory(private_root)
    assert len(expected["cards"]) >= 8 and expected["labels"] and expected["certificates"]
    assert len(expected["batch_pdfs"]) == 2

    call_command("backup", output_dir=str(tmp_path / "backups"), stdout=open(os.devnull, "w"))
    (archive,) = (tmp_path / "backups").glob("yika-*.tar")
    manifest = backup.read_manifest(archive)
    stored = {
        f"private/{p.relative_to(private_root).as_posix()}": sha256(p)
        for p in Path(private_root).rglob("*")
        if p.is_file()
    }
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == stored
    assert manifest["rows"]["assets.asset"] == len(expected["cards"])

    env = site_env(fresh_database, tmp_path / "restored")
    out = manage(env, "manage.py", "restore", str(archive))
    assert "every row count and file hash matches" in out
    restored = json.loads(manage(env, "-c", INVENTORY).strip().splitlines()[-1])
    restored["labels"] = sorted(restored["labels"])
    assert restored == expected
    for digest, stored in restored["certificates"].values():
        assert digest == stored


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(clerk, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    archive = backup.create_backup(tmp_path / "backups")
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore_backup(archive)


@pytest.mark.django_db
def test_a_damaged_archive_is_refused_before_anything_is_restored(clerk, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    archive = backup.create_backup(tmp_path / "backups")
    evil = tmp_path / "evil.tar"
    with tarfile.open(archive) as source, tarfile.open(evil, "w") as target:
        for member in source:
            target.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("private/../../escape.txt")
        info.size = 0
        target.addfile(info)
    with pytest.raises(backup.BackupError):
        backup.restore_backup(evil, force=True)
    assert not (tmp_path / "escape.txt").exists()
