"""Checking a ledger without writing: `plan_import` (stage 3 of the pipeline in `jobs`).

`plan_import` checks every row: values, references (departments, locations, categories through
(code system, code) and `Category.maps_to`, projects, users, hosts), the actor's department
scope, duplicates within the file and parent cycles, and works out for each row whether it
creates a card, updates one (matched on tag or legacy number) or changes nothing. Errors are
collected per row and column in plain words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from assets import history, permissions, services, spreadsheets, tags
from assets.imports.columns import (
    BOOL,
    CHOICE,
    CHOICE_MODELS,
    CODE_SYSTEM_ALIASES,
    COLUMN_BY_KEY,
    DATE,
    INT,
    MONEY,
    CellError,
    HeaderMap,
    RowError,
    T,
    cell_text,
    choice_index,
    column_label,
    in_each_language,
    map_headers,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_money,
    parse_text,
    template_example_rows,
)
from assets.imports.columns import Phrase as _  # errors are said in each reader's language
from assets.models import (
    CURRENT_CODE_SYSTEM,
    Asset,
    Category,
    DelegatedProject,
    Department,
    Location,
    User,
)

PREVIEW_ROWS = 500
CHUNK = 900  # rows per lookup and per INSERT statement


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class PlannedRow:
    number: int
    fields: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    existing: Asset | None = None
    parent_ref: str = ""
    parent_row: PlannedRow | None = None
    parent_asset: Asset | None = None
    status: str | None = None
    install_mode: str | None = None
    location: Location | None = None
    action: str = CREATE
    changes: dict[str, list] = field(default_factory=dict)
    created: Asset | None = None
    created_tag: str = ""  # the new card's tag once applied (the preview then shows it)
    depth: int = 0  # hosts in the file above this row; set by `_order_rows`

    @property
    def key(self) -> str:
        return f"row{self.number}"


@dataclass
class Plan:
    rows: list[PlannedRow]
    errors: list[RowError]
    header_map: HeaderMap
    order: list[PlannedRow] = field(default_factory=list)
    # Rows a re-import could not match to a card: [{"row", "message"}], shown in the preview.
    warnings: list[dict] = field(default_factory=list)
    examples: list[int] = field(default_factory=list)  # rows still the template's examples

    @property
    def error_rows(self) -> set[int]:
        return {error.row for error in self.errors}

    @property
    def counts(self) -> dict[str, int]:
        """Rows to create, update and leave unchanged; a row with an error is none of them, so
        these and the rows with errors add up to the file's rows."""
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        failed = self.error_rows
        for row in self.rows:
            if row.number not in failed:
                counts[row.action] += 1
        return counts

    def preview(self, limit: int = PREVIEW_ROWS) -> list[dict]:
        out = []
        warned = {w["row"]: w["message"] for w in self.warnings}
        for row in self.rows[:limit]:
            out.append(
                {
                    "row": row.number,
                    "action": row.action,
                    "tag": row.existing.tag if row.existing else row.created_tag,
                    "legacy_number": row.fields.get("legacy_number")
                    or (row.existing.legacy_number if row.existing else ""),
                    "name": row.fields.get("name") or (row.existing.name if row.existing else ""),
                    "parent": row.parent_ref,
                    "changes": {
                        k: [history.json_value(b), history.json_value(a)]
                        for k, (b, a) in row.changes.items()
                    },
                    "serial_number": row.fields.get("serial_number")
                    or (row.existing.serial_number if row.existing else ""),
                    "warning": warned.get(row.number, ""),
                }
            )
        return out


class _References:
    """Every reference the file makes, loaded in a few queries and resolved in memory."""

    def __init__(self, actor):
        self.actor = actor
        self.departments_by_code: dict[str, Department] = {}
        self.departments_by_name: dict[str, list[Department]] = defaultdict(list)
        for department in Department.objects.all():
            self.departments_by_code[department.code.lower()] = department
            self.departments_by_name[department.name.strip()].append(department)
        self.locations_by_code: dict[str, Location] = {}
        self.locations_by_name: dict[str, list[Location]] = defaultdict(list)
        for location in Location.objects.filter(is_active=True):
            self.locations_by_code[location.code.lower()] = location
            self.locations_by_name[location.name.strip()].append(location)
        self.categories: dict[tuple[str, str], Category] = {}
        parents: set[int] = set()
        for category in Category.objects.all():
            self.categories[(category.code_system, category.code.upper())] = category
            if category.parent_id:
                parents.add(category.parent_id)
        self.by_pk = {c.pk: c for c in self.categories.values()}
        self.group_ids = parents
        self.code_systems = {system for system, _ in self.categories}
        self.projects: dict[str, DelegatedProject] = {}
        self.users: dict[str, User] = {}
        # What a card's foreign keys point at, by model and pk: comparing a row with its card
        # must not load each card's referenced rows one query at a time.
        self.known: dict[type, dict[int, Any]] = {
            Department: {d.pk: d for d in self.departments_by_code.values()},
            Location: {loc.pk: loc for loc in self.locations_by_code.values()},
            Category: self.by_pk,
            DelegatedProject: {},
            User: {},
        }
        self.choice_indexes = {key: choice_index(model) for key, model in CHOICE_MODELS.items()}

    def load_projects(self, codes):
        for chunk in _chunks(sorted(codes)):
            # Through the actor's scope: another department's project reads as unknown.
            for project in permissions.linkable_projects(self.actor).filter(code__in=chunk):
                self.projects[project.code] = project
                self.known[DelegatedProject][project.pk] = project

    def load_users(self, names):
        for chunk in _chunks(sorted(names)):
            for user in permissions.assignable_custodians(self.actor).filter(username__in=chunk):
                self.users[user.username] = user
                self.known[User][user.pk] = user

    def department(self, value: str) -> Department:
        found = self.departments_by_code.get(value.lower())
        if found is None:
            named = self.departments_by_name.get(value.strip(), [])
            if len(named) > 1:
                raise CellError(
                    _("department name “%(value)s” is ambiguous; use its code") % {"value": value}
                )
            found = named[0] if named else None
        if found is None:
            raise CellError(_("unknown department “%(value)s”") % {"value": value})
        if not permissions.may_assign_department(self.actor, found):
            raise CellError(
                _("department “%(value)s” is outside your department scope") % {"value": value}
            )
        return found

    def location(self, value: str) -> Location:
        found = self.locations_by_code.get(value.lower())
        if found is None:
            named = self.locations_by_name.get(value.strip(), [])
            if len(named) > 1:
                raise CellError(
                    _("location name “%(value)s” is ambiguous; use its code") % {"value": value}
                )
            found = named[0] if named else None
        if found is None:
            raise CellError(_("unknown location “%(value)s”") % {"value": value})
        return found

    def code_system(self, value: str) -> str:
        if not value:
            return CURRENT_CODE_SYSTEM
        if value in self.code_systems:
            return value
        key = re.sub(r"[\s/\-_.〔〕\[\]（）()]", "", value).upper()
        system = CODE_SYSTEM_ALIASES.get(key)
        if system is None:
            raise CellError(
                _("unknown code system “%(value)s”") % {"value": value}, code_system=True
            )
        return system

    def category(self, system: str, code: str) -> Category:
        code = code.strip().upper()
        found = self.categories.get((system, code))
        if found is None:
            raise CellError(
                _("unknown category code “%(code)s” in %(system)s")
                % {"code": code, "system": system}
            )
        if system != CURRENT_CODE_SYSTEM:
            if found.maps_to_id is None:
                raise CellError(
                    _(
                        "%(system)s code “%(code)s” has no mapping to GB/T 14885-2022; ask the "
                        "administrator to add one"
                    )
                    % {"code": code, "system": system}
                )
            found = self.by_pk[found.maps_to_id]
        if found.code_system != CURRENT_CODE_SYSTEM:
            raise CellError(_("unknown category code “%(code)s”") % {"code": code})
        if found.pk in self.group_ids:
            raise CellError(
                _("category %(code)s %(name)s is a group; choose one of its leaf categories")
                % {"code": found.code, "name": found.name}
            )
        return found


def _chunks(items, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _changeable(actor):
    # The system (`permissions.SYSTEM`: `import_assets` without --user) matches every card.
    return (
        Asset.objects.all()
        if permissions.is_system(actor)
        else permissions.changeable_assets(actor)
    )


def plan_import(*, actor, table: spreadsheets.Table) -> Plan:
    """Check every row and work out what applying the file would do; writes nothing."""
    header_map = map_headers(table.headers)
    labels = header_map.labels
    refs = _References(actor)
    errors: list[RowError] = []
    rows: list[PlannedRow] = []

    def error(row: PlannedRow, key: str, message: str, value: str = ""):
        errors.append(RowError(row.number, labels.get(key, ""), message, value))

    # 1. Read each cell.
    project_codes: set[str] = set()
    usernames: set[str] = set()
    cells: dict[int, dict[str, Any]] = {}
    for number, values in table.rows:
        row = PlannedRow(number=number)
        for index, key in header_map.by_index.items():
            value = values[index] if index < len(values) else None
            text = cell_text(value)
            if text == "":
                continue
            row.raw[key] = text
        project_codes.update([row.raw["project"]] if "project" in row.raw else [])
        usernames.update([row.raw["custodian_user"]] if "custodian_user" in row.raw else [])
        cells[number] = {
            key: (values[index] if index < len(values) else None)
            for index, key in header_map.by_index.items()
        }
        rows.append(row)
    refs.load_projects(project_codes)
    refs.load_users(usernames)

    def read_cell(key: str, text: str, value):
        column = COLUMN_BY_KEY[key]
        if column.kind == T:
            return parse_text(key, value)
        if column.kind == MONEY:
            return parse_money(value)
        if column.kind == INT:
            return parse_int(value, low=1, high=1200)
        if column.kind == DATE:
            return parse_date(value)
        if column.kind == BOOL:
            return parse_bool(value)
        if column.kind == CHOICE:
            return parse_choice(key, value, refs.choice_indexes[key])
        if key in ("owner_department", "managing_department", "using_department"):
            return refs.department(text)
        if key == "location":
            return refs.location(text)
        if key == "project":
            if text not in refs.projects:
                raise CellError(_("unknown delegated-build project “%(value)s”") % {"value": text})
            return refs.projects[text]
        if key == "custodian_user":
            if text not in refs.users:
                raise CellError(_("unknown user “%(value)s”") % {"value": text})
            return refs.users[text]
        return None

    for row in rows:
        values = cells.pop(row.number)
        for key, text in row.raw.items():
            if key in ("tag", "parent", "code_system", "category"):
                continue
            try:
                parsed = read_cell(key, text, values[key])
            except CellError:
                error(row, key, _failure(read_cell, key, text, values[key]), text)
                continue
            if parsed is not None or COLUMN_BY_KEY[key].kind in (T, MONEY, INT, DATE, BOOL, CHOICE):
                row.fields[key] = parsed
        if "category" in row.raw:

            def read_category(row=row):
                system = refs.code_system(row.raw.get("code_system", ""))
                return refs.category(system, row.raw["category"])

            try:
                row.fields["category"] = read_category()
            except CellError as problem:
                key = "code_system" if problem.code_system else "category"
                key = key if key in labels else "category"
                error(row, key, _failure(read_category), row.raw.get(key, ""))
        if "tag" in row.raw:
            row.raw["tag"] = tags.normalise(row.raw["tag"])
        row.parent_ref = row.raw.get("parent", "")
        row.status = row.fields.pop("status", None)
        row.install_mode = row.fields.pop("install_mode", None)
        row.location = row.fields.pop("location", None)
        acquired_on = row.fields.get("acquired_on")
        if services.acquisition_date_error(acquired_on):
            error(
                row,
                "acquired_on",
                lambda acquired_on=acquired_on: services.acquisition_date_error(acquired_on),
                row.raw.get("acquired_on", ""),
            )

    # 2. Duplicates within the file (a serial number only where it is the row's identity).
    for key in ("tag", "legacy_number", "serial_number"):
        seen: dict[str, PlannedRow] = {}
        for row in rows:
            value = row.raw.get(key)
            if not value or (key == "serial_number" and _identity(row) != "serial_number"):
                continue
            if value in seen:
                error(
                    row,
                    key,
                    _("“%(value)s” appears again (first in row %(row)s)")
                    % {"value": value, "row": seen[value].number},
                    value,
                )
            else:
                seen[value] = row

    # 3. Existing cards, matched on tag or legacy number within the actor's scope.
    changeable = _changeable(actor)
    wanted_tags = {row.raw["tag"] for row in rows if row.raw.get("tag")}
    wanted_legacy = {row.raw["legacy_number"] for row in rows if row.raw.get("legacy_number")}
    wanted_serials = {row.raw["serial_number"] for row in rows if _identity(row) == "serial_number"}
    for row in rows:
        if row.parent_ref:
            wanted_tags.add(tags.normalise(row.parent_ref))
            wanted_legacy.add(row.parent_ref)
    by_tag: dict[str, Asset] = {}
    by_legacy: dict[str, list[Asset]] = defaultdict(list)
    related = ("category", "owner_department", "location", "parent")
    for chunk in _chunks(sorted(wanted_tags)):
        for asset in changeable.filter(tag__in=chunk).select_related(*related):
            by_tag[asset.tag] = asset
    for chunk in _chunks(sorted(wanted_legacy)):
        for asset in changeable.filter(legacy_number__in=chunk).select_related(*related):
            by_legacy[asset.legacy_number].append(asset)
    by_serial: dict[str, list[Asset]] = defaultdict(list)
    for chunk in _chunks(sorted(wanted_serials)):
        for asset in changeable.filter(serial_number__in=chunk).select_related(*related):
            by_serial[asset.serial_number].append(asset)

    file_by_tag = {row.raw["tag"]: row for row in rows if row.raw.get("tag")}
    file_by_legacy = {row.raw["legacy_number"]: row for row in rows if row.raw.get("legacy_number")}
    claimed: dict[int, PlannedRow] = {}
    for row in rows:
        tag = row.raw.get("tag")
        legacy = row.raw.get("legacy_number")
        if tag:
            row.existing = by_tag.get(tag)
            if row.existing is None:
                # A mistyped tag says so (its check character), as on the scan page and the form.
                error(row, "tag", _tag_problem(tag), tag)
        elif legacy:
            matches = by_legacy.get(legacy, [])
            if len(matches) > 1:
                error(
                    row,
                    "legacy_number",
                    _("%(count)s cards have legacy number “%(value)s”; give the tag instead")
                    % {"count": len(matches), "value": legacy},
                    legacy,
                )
            elif matches:
                row.existing = matches[0]
        elif _identity(row) == "serial_number":
            serial = row.raw["serial_number"]
            matches = by_serial.get(serial, [])
            if len(matches) > 1:
                error(
                    row,
                    "serial_number",
                    _("%(count)s cards have serial number “%(value)s”; give the tag instead")
                    % {"count": len(matches), "value": serial},
                    serial,
                )
            elif matches:
                row.existing = matches[0]
        if row.existing is not None:
            other = claimed.get(row.existing.pk)
            if other is not None:
                error(
                    row,
                    "tag" if tag else "legacy_number",
                    _("this card is already changed by row %(row)s") % {"row": other.number},
                    tag or legacy,
                )
            claimed[row.existing.pk] = row

    # 4. Hosts: a row of this file (by tag or legacy number) or a card in scope.
    for row in rows:
        ref = row.parent_ref
        if not ref:
            continue
        target = file_by_tag.get(tags.normalise(ref)) or file_by_legacy.get(ref)
        if target is not None:
            if target is row:
                error(row, "parent", _("an asset cannot be its own host"), ref)
                continue
            if target.existing is not None and target.existing.status == Asset.Status.RETIRED:
                # The import never changes a retired card, so it stays unable to hold components.
                error(
                    row, "parent", _("host %(tag)s is retired") % {"tag": target.existing.tag}, ref
                )
                continue
            row.parent_row = target
            row.parent_asset = target.existing
            continue
        asset = by_tag.get(tags.normalise(ref))
        if asset is None:
            matches = by_legacy.get(ref, [])
            if len(matches) > 1:
                error(
                    row,
                    "parent",
                    _("%(count)s cards have legacy number “%(value)s”; give the tag instead")
                    % {"count": len(matches), "value": ref},
                    ref,
                )
                continue
            asset = matches[0] if matches else None
        if asset is None:
            error(row, "parent", _("unknown host asset “%(value)s”") % {"value": ref}, ref)
            continue
        if asset.status == Asset.Status.RETIRED:
            error(row, "parent", _("host %(tag)s is retired") % {"tag": asset.tag}, ref)
            continue
        row.parent_asset = asset

    # 5. What each row does.
    for row in rows:
        if row.existing is None:
            _plan_create(row, error)
        else:
            _plan_update(row, error, refs)

    # 6. Cycles among hosts, with the register's current links for cards outside the file.
    order = _order_rows(rows, errors, labels)
    plan = Plan(
        rows=rows, errors=sorted(errors, key=lambda e: (e.row, e.column)), header_map=header_map
    )
    plan.order = order
    plan.warnings = _unmatched_warnings(rows)
    plan.examples = _example_rows(rows)
    return plan


def _failure(read, *args):
    """The message `read(*args)` fails with, in the active language when it is said."""

    def say():
        try:
            read(*args)
        except CellError as problem:
            return problem.message
        return ""

    return say


def _tag_problem(tag: str):
    """Why no card has this tag: it is no valid tag (`tags.validate_tag` says why), or none in
    the actor's scope has it."""
    try:
        tags.validate_tag(tag)
    except tags.TagError:

        def say():
            try:
                tags.validate_tag(tag)
            except tags.TagError as problem:
                return str(problem.message)
            return ""

        return say
    return _("unknown asset “%(value)s”") % {"value": tag}


def _example_rows(rows: list[PlannedRow]) -> list[int]:
    """Rows to be created that are still the template's own examples (same legacy number and
    name): applying would register them as real cards, which are never deleted."""
    examples = {(row["legacy_number"], row["name"]) for row in template_example_rows()}
    # A row matched to a card already registered (a re-upload of an applied file) registers
    # nothing new: no warning for it.
    return [
        row.number
        for row in rows
        if row.existing is None
        and (row.raw.get("legacy_number", ""), row.raw.get("name", "")) in examples
    ]


def _identity(row: PlannedRow) -> str:
    """What a row is matched on: its tag, else its legacy number, else its serial number."""
    for key in ("tag", "legacy_number", "serial_number"):
        if row.raw.get(key):
            return key
    return ""


def _unmatched_warnings(rows: list[PlannedRow]) -> list[dict]:
    """In a re-import (some rows match cards), the rows that match none: they would be
    registered as new cards, possibly a second card for an asset already in the register."""
    if not any(row.existing is not None for row in rows):
        return []
    warnings = []
    for row in rows:
        if row.existing is not None:
            continue
        key = _identity(row)
        if key:
            message = _(
                "no card in your scope has this %(column)s “%(value)s”; it will be registered "
                "as a new card"
            ) % {"column": column_label(key), "value": row.raw[key]}
        else:
            message = _(
                "no tag, legacy number or serial number to match it with; it will be "
                "registered as a new card"
            )
        warnings.append(
            {"row": row.number, "message": str(message), "messages": in_each_language(message)}
        )
    return warnings


def _plan_create(row: PlannedRow, error) -> None:
    row.action = CREATE
    for key in ("name", "category", "owner_department"):
        if key not in row.raw:
            error(row, key, _("required for a new card"))
    status = row.status or Asset.Status.IN_USE
    if status == Asset.Status.RETIRED:
        error(row, "status", _("retired cards are not imported"))
    elif status == Asset.Status.LENT:
        error(row, "status", _("register the card first, then lend it with the status action"))
    mode = row.install_mode or Asset.InstallMode.STANDALONE
    row.install_mode = mode
    if mode == Asset.InstallMode.EMBEDDED and not row.parent_ref:
        error(row, "install_mode", _("an embedded device needs a host"))
    acquired, in_service = row.fields.get("acquired_on"), row.fields.get("in_service_on")
    if acquired and in_service and in_service < acquired:
        error(
            row,
            "in_service_on",
            _("the in-service date is before the acquisition date"),
            row.raw.get("in_service_on", ""),
        )


def _plan_update(row: PlannedRow, error, refs: _References) -> None:
    asset = row.existing
    changes: dict[str, list] = {}
    for key, value in row.fields.items():
        if key == "owner_department":
            if value.pk != asset.owner_department_id:
                error(
                    row,
                    key,
                    _("the owning department changes only through a handover"),
                    row.raw.get(key, ""),
                )
            continue
        model_field = Asset._meta.get_field(key)
        if model_field.is_relation:
            # Compare ids; the card's current object is needed only to show a change.
            before_id = getattr(asset, model_field.attname)
            if before_id != value.pk:
                model = model_field.related_model
                before = refs.known[model].get(before_id) if before_id is not None else None
                if before is None and before_id is not None:
                    before = getattr(asset, key)
                changes[key] = [before, value]
            continue
        before = getattr(asset, key)
        if before != value:
            changes[key] = [before, value]
    acquired = row.fields.get("acquired_on", asset.acquired_on)
    in_service = row.fields.get("in_service_on", asset.in_service_on)
    if acquired and in_service and in_service < acquired:
        error(
            row,
            "in_service_on",
            _("the in-service date is before the acquisition date"),
            row.raw.get("in_service_on", ""),
        )
    inside = (row.install_mode or asset.install_mode) in services.PHYSICALLY_INSIDE
    if row.location is not None and row.location.pk != asset.location_id:
        if inside and (row.parent_ref or asset.parent_id):
            row.location = None  # it follows its host
        else:
            changes["location"] = [asset.location, row.location]
    parent_changes = False
    if row.parent_ref:
        new_parent_pk = row.parent_asset.pk if row.parent_asset is not None else None
        if row.parent_row is not None and row.parent_row.existing is None:
            parent_changes = True
        elif new_parent_pk != asset.parent_id:
            parent_changes = True
        if parent_changes:
            changes["parent"] = [asset.parent, row.parent_ref]
    if row.install_mode and row.install_mode != asset.install_mode:
        kinds = {row.install_mode, asset.install_mode}
        if kinds == {Asset.InstallMode.STANDALONE, Asset.InstallMode.RACK_MOUNTED}:
            error(
                row,
                "install_mode",
                _("installation changes between standalone and rack-mounted on the card page"),
            )
        else:
            changes["install_mode"] = [asset.install_mode, row.install_mode]
            if row.install_mode == Asset.InstallMode.EMBEDDED and not (
                row.parent_ref or asset.parent_id
            ):
                error(row, "install_mode", _("an embedded device needs a host"))
    if row.status and row.status != asset.status:
        if row.status == Asset.Status.RETIRED:
            error(row, "status", _("retire cards with the retire action, not by import"))
        elif row.status == Asset.Status.LENT:
            error(row, "status", _("lend a card with the status action, not by import"))
        elif row.status not in services.ASSET_TRANSITIONS.get(asset.status, set()):
            error(
                row,
                "status",
                _("a card cannot go from “%(old)s” to “%(new)s”")
                % {
                    "old": Asset.Status(asset.status).label,
                    "new": Asset.Status(row.status).label,
                },
            )
        else:
            changes["status"] = [asset.status, row.status]
    if changes and asset.status == Asset.Status.RETIRED:
        error(row, "", _("card %(tag)s is retired and cannot be changed") % {"tag": asset.tag})
    row.changes = changes
    row.action = UPDATE if changes else UNCHANGED


def _order_rows(rows: list[PlannedRow], errors: list[RowError], labels) -> list[PlannedRow]:
    """Hosts before their components; a cycle among hosts is an error on every row in it."""
    # Final parent of every file row, as a node id: ("row", n) or ("asset", pk).
    node_of_row = {}
    for row in rows:
        node_of_row[row.number] = (
            ("asset", row.existing.pk) if row.existing else ("row", row.number)
        )
    row_of_asset = {row.existing.pk: row for row in rows if row.existing}
    parent: dict[tuple, tuple | None] = {}
    for row in rows:
        node = node_of_row[row.number]
        if row.parent_row is not None:
            parent[node] = node_of_row[row.parent_row.number]
        elif row.parent_asset is not None:
            parent[node] = ("asset", row.parent_asset.pk)
        elif row.existing is not None:
            parent[node] = ("asset", row.existing.parent_id) if row.existing.parent_id else None
        else:
            parent[node] = None
    # Cards outside the file keep their parents: walk them up in batches.
    frontier = {p[1] for p in parent.values() if p and p[0] == "asset" and p[1] not in row_of_asset}
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        next_frontier = set()
        for chunk in _chunks(sorted(frontier)):
            for pk, parent_id in Asset.objects.filter(pk__in=chunk).values_list("pk", "parent_id"):
                parent[("asset", pk)] = ("asset", parent_id) if parent_id else None
                if parent_id and parent_id not in seen and parent_id not in row_of_asset:
                    next_frontier.add(parent_id)
        frontier = next_frontier
    # Find cycles.
    state: dict[tuple, int] = {}  # 1 = on the current path, 2 = done
    in_cycle: set[tuple] = set()
    for start in parent:
        path = []
        node = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycle_start = path.index(node)
            in_cycle.update(path[cycle_start:])
        for item in path:
            state[item] = 2
    by_node = {node_of_row[row.number]: row for row in rows}
    for node in in_cycle:
        row = by_node.get(node)
        if row is not None:
            errors.append(
                RowError(
                    row.number,
                    labels.get("parent", ""),
                    _("the hosts form a cycle (a device inside itself)"),
                    row.parent_ref,
                )
            )
    if in_cycle:
        return []
    # Depth within the file decides the order: hosts first, rows in file order otherwise.
    depth: dict[int, int] = {}

    def depth_of(row: PlannedRow) -> int:
        if row.number in depth:
            return depth[row.number]
        chain = []
        current = row
        while current is not None and current.number not in depth:
            chain.append(current)
            current = current.parent_row
        base = depth[current.number] + 1 if current is not None else 0
        for item in reversed(chain):
            depth[item.number] = base
            base += 1
        return depth[row.number]

    for row in rows:
        row.depth = depth_of(row)
    return sorted(rows, key=lambda r: (r.depth, r.number))
