"""A card's history: the one place that writes its events, and reads them back for pages.

Writing. Every history row is written here, by services inside their transaction:
`record_event` for one card, `record_events` for many at once (one `INSERT … SELECT`), and
`new_event` + `write_events` for a batch whose changes differ per card (the ledger import).
All of them store a change the same way, `{field: [before, after]}` with natural keys and
codes, ISO dates, decimal strings (`json_value`), so the set-based twin writes the rows
`record_event` would write for the same change (tests/assets/test_history.py proves it).

Reading. Events store natural keys and codes (`{"location": ["R-101", "R-301"]}`, DESIGN.md
"History events"); `describe_events` turns each change into the field's verbose name and
readable values: a choice by its label, a reference by its name, money as ¥, a yes/no as
words. References are looked up once per page (one query per kind of reference, whatever the
number of events).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import F, Func, Value
from django.db.models.functions import Cast, JSONArray, JSONObject
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assets.models import (
    CURRENT_CODE_SYSTEM,
    Asset,
    AssetEvent,
    Category,
    DelegatedProject,
    Department,
    Location,
)
from config import formatting
from config.sql import quote_column, quote_table

# ------------------------------------------------------------------------------------ writing

# Rows per INSERT when a batch of events built in Python is written.
WRITE_BATCH = 500


def json_value(value: Any) -> Any:
    """A history-friendly form of a field value: natural keys, ISO dates, decimal strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    for attr in ("tag", "code", "username"):
        if hasattr(value, attr):
            return getattr(value, attr)
    return str(value)


def _actor(actor):
    """The signed-in actor, or None for the system (tasks, commands, anonymous callers)."""
    return actor if actor is not None and actor.is_authenticated else None


# Notes written by code: a key and its message. Other apps add theirs in their AppConfig.ready
# (`register_notes`), as assets imports no other app.
NOTE_MESSAGES: dict[str, Any] = {
    "handover_submitted": _("Submitted to %(to)s for acceptance."),
    "handover_accepted": _("Accepted in handover %(number)s."),
    "host_retired_with": _("Retired with its host %(tag)s."),
    "host_retired_detached": _("Detached because its host %(tag)s was retired."),
    "handover_placed": _("Placed on acceptance of handover %(number)s."),
    "moved_with_host": _("Moved with its host %(tag)s."),
}


# Keys whose note only names the event's campaign: the timeline names it already, in its meta line.
_CAMPAIGN_NOTES: set[str] = set()


def register_notes(messages: Mapping[str, Any], *, names_campaign: bool = False) -> None:
    """Add an app's generated-note messages (key → lazy gettext message with placeholders).
    With `names_campaign` the notes only name the event's campaign, and the timeline, which
    names it anyway, leaves them out (the API still has them)."""
    NOTE_MESSAGES.update(messages)
    if names_campaign:
        _CAMPAIGN_NOTES.update(messages)


def _timeline_note(event) -> str:
    if not event.note_code:
        return event.note
    if event.note_code in _CAMPAIGN_NOTES and event.campaign_id:
        return ""
    return note_text(event.note_code, event.note_params or {}, event.note)


def _note(note: str, note_code: str, note_params: Mapping | None) -> str:
    """The stored note: a generated one in the writer's language, a typed one as typed."""
    if note_code and not note:
        return note_text(note_code, note_params or {})
    return note or ""


def note_text(note_code: str, note_params: Mapping, fallback: str = "") -> str:
    """A generated note in the active language; `fallback` for an unknown key."""
    message = NOTE_MESSAGES.get(note_code)
    if message is None:
        return fallback
    try:
        return str(message) % dict(note_params)
    except (KeyError, TypeError, ValueError):
        return fallback


def new_event(
    *,
    asset: Asset,
    actor,
    kind: str,
    changes: Mapping[str, Sequence] | None = None,
    note: str = "",
    handover=None,
    campaign_id: int | None = None,
    note_code: str = "",
    note_params: Mapping | None = None,
    disposal=None,
) -> AssetEvent:
    """The unsaved history row `record_event` writes; `write_events` saves many at once.
    A note written by code is given as `note_code` (a `NOTE_MESSAGES` key) and `note_params`."""
    return AssetEvent(
        asset=asset,
        actor=_actor(actor),
        kind=kind,
        changes={f: [json_value(b), json_value(a)] for f, (b, a) in (changes or {}).items()},
        note=_note(note, note_code, note_params),
        handover=handover,
        campaign_id=campaign_id,
        note_code=note_code,
        note_params=dict(note_params or {}),
        disposal=disposal,
    )


def record_event(
    *,
    asset: Asset,
    actor,
    kind: str,
    changes: Mapping[str, Sequence] | None = None,
    note: str = "",
    handover=None,
    campaign_id: int | None = None,
    note_code: str = "",
    note_params: Mapping | None = None,
    disposal=None,
) -> AssetEvent:
    """Append one history row. Called only by services, inside their transaction."""
    event = new_event(
        asset=asset,
        actor=actor,
        kind=kind,
        changes=changes,
        note=note,
        handover=handover,
        campaign_id=campaign_id,
        note_code=note_code,
        note_params=note_params,
        disposal=disposal,
    )
    event.save(force_insert=True)
    return event


def write_events(events: Iterable[AssetEvent]) -> None:
    """Save events built by `new_event`, a batch per statement (bulk services)."""
    AssetEvent.objects.bulk_create(list(events), batch_size=WRITE_BATCH)


def _is_expression(value) -> bool:
    return hasattr(value, "resolve_expression")


def _is_reference(model, expression) -> bool:
    """Whether `expression` is a bare foreign key (`F("location")`): its value is an id."""
    if not isinstance(expression, F):
        return False
    try:
        return model._meta.get_field(expression.name).is_relation
    except Exception:  # FieldDoesNotExist: a lookup path or an annotation
        return False


def _json_expression(expression, field) -> Any:
    """`expression` (a column of type `field`) as `json_value` would store its value."""
    if isinstance(field, models.DateTimeField):
        # `json_value` writes Python's isoformat, which depends on the session's time zone.
        raise TypeError("record_events: give a date-time change as a value, not an expression")
    if isinstance(field, models.DecimalField):
        # Two decimals, as `json_value` formats a Decimal (money fields have two already).
        cents = Cast(expression, models.DecimalField(max_digits=38, decimal_places=2))
        return Cast(cents, models.TextField())
    if isinstance(field, models.DateField):
        return Func(
            expression,
            Value("YYYY-MM-DD"),
            function="to_char",
            output_field=models.TextField(),
        )
    return expression


def _cast(expression, field) -> Cast:
    """`expression` cast to the column type of `field` (a reference: its target's key)."""
    return Cast(expression, field.target_field if field.is_relation else field)


# The columns `record_events` writes, in order (`id` is generated).
_EVENT_COLUMNS = (
    "asset",
    "kind",
    "at",
    "actor",
    "changes",
    "note",
    "handover",
    "campaign_id",
    "note_code",
    "note_params",
    "disposal",
)


def record_events(
    *,
    assets: models.QuerySet,
    actor,
    kind: str | models.Expression,
    changes: Mapping[str, Sequence] | None = None,
    note: str = "",
    handover=None,
    campaign_id: int | None = None,
    at: datetime | models.Expression | None = None,
    apply: bool = False,
    note_code: str = "",
    note_params: Mapping | None = None,
    disposal=None,
) -> int:
    """Append one history row per card of `assets` in one statement: `record_event` set-based.

    `kind` and each side of `changes` (`{field: (before, after)}`) are either a value, stored
    as `record_event` stores it, or an expression over the card's row computed per card
    (`F("suspected_shortage")`, a `Case`, an annotation of `assets`): a reference by its
    natural key (`F("location__code")`), a decimal or a date as its column. The rows are the
    ones `record_event` writes for the same change, but for their id and time (one `at` for
    all, now unless given). `actor` and `at` may be expressions over the card's row too (a
    stocktake's counter and count time, `F("stocktake_lines__counted_by")`), one per card.

    With `apply` the same statement also sets each changed field of the cards to its `after`
    (the card's own columns only): a data-modifying CTE updates the cards and inserts the
    events of the cards it updated, one pass over `assets`, which must hold only the cards
    whose value differs. Called only by services, inside their transaction; returns the
    number of events written. `assets` should name each card once (a join may repeat it).
    """
    changes = {name: tuple(pair) for name, pair in (changes or {}).items()}
    queryset = assets.order_by()
    sides: dict[str, list] = {}  # each change's before and after as JSON-ready expressions
    afters: dict[str, Any] = {}  # each change's after as the card column's own value
    for index, (name, (before, after)) in enumerate(changes.items()):
        sides[name] = []
        for side, value in (("before", before), ("after", after)):
            if not _is_expression(value):
                sides[name].append(Value(json_value(value), output_field=models.JSONField()))
                if side == "after":
                    afters[name] = Value(value, output_field=_field(name))
                continue
            if _is_reference(queryset.model, value):
                raise TypeError(
                    "record_events: name a reference by its natural key, e.g. F('location__code')"
                )
            # An alias first, so the expression's type is known when it is written as JSON.
            alias = f"_{side}{index}"
            queryset = queryset.alias(**{alias: value})
            field = queryset.query.annotations[alias].output_field
            sides[name].append(_json_expression(F(alias), field))
            if side == "after":
                afters[name] = F(alias)
    if any(_is_expression(value) for pair in changes.values() for value in pair):
        changed = JSONObject(**{name: JSONArray(*pair) for name, pair in sides.items()})
    else:
        changed = Value(
            {name: [json_value(b), json_value(a)] for name, (b, a) in changes.items()},
            output_field=models.JSONField(),
        )
    if not _is_expression(actor):
        actor = _actor(actor)
        actor = Value(actor.pk if actor else None, output_field=models.IntegerField())
    values = {
        "asset": F("pk"),
        "kind": kind if _is_expression(kind) else Value(str(kind)),
        "at": at
        if _is_expression(at)
        else Value(at or timezone.now(), output_field=models.DateTimeField()),
        "actor": actor,
        "changes": changed,
        "note": Value(_note(note, note_code, note_params), output_field=models.TextField()),
        "handover": Value(getattr(handover, "pk", handover), output_field=models.BigIntegerField()),
        "campaign_id": Value(campaign_id, output_field=models.BigIntegerField()),
        "note_code": Value(note_code or "", output_field=models.CharField()),
        "note_params": Value(dict(note_params or {}), output_field=models.JSONField()),
        "disposal": Value(getattr(disposal, "pk", disposal), output_field=models.BigIntegerField()),
    }
    # Each value cast to its column's type: a bare NULL or text selected in a CTE is typed text.
    selected = {
        f"_e{i}": _cast(expression, AssetEvent._meta.get_field(name))
        for i, (name, expression) in enumerate(values.items())
    }
    event_aliases = list(selected)
    updates: dict[str, str] = {}  # quoted card column -> the alias of its new value
    if apply:
        for name, after in afters.items():
            field = Asset._meta.get_field(name)
            if not field.concrete or field.is_relation:
                raise ValueError(f"record_events: apply sets the card's own columns, not {name}")
            alias = f"_u{len(updates)}"
            updates[quote_column(Asset, name)] = alias
            selected[alias] = _cast(after, field)
    sql, params = queryset.annotate(**selected).values_list(*selected).query.sql_with_params()
    event = quote_table(AssetEvent)
    into = ", ".join(quote_column(AssetEvent, name) for name in _EVENT_COLUMNS)
    # Table and column names come from the models; every value is a parameter.
    if not apply:
        statement = f"INSERT INTO {event} ({into}) {sql}"  # noqa: S608
    else:
        sets = ", ".join(f"{column} = src.{alias}" for column, alias in updates.items())
        statement = (
            f"WITH src ({', '.join(selected)}) AS ({sql}), "  # noqa: S608
            f"changed AS (UPDATE {quote_table(Asset)} AS card SET {sets} FROM src "
            f"WHERE card.{quote_column(Asset, 'id')} = src._e0 "
            f"RETURNING {', '.join(f'src.{alias}' for alias in event_aliases)}) "
            f"INSERT INTO {event} ({into}) SELECT {', '.join(event_aliases)} FROM changed"
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


# ------------------------------------------------------------------------------------ reading

EMPTY = formatting.EMPTY

# Change keys that are not fields of the card.
EXTRA_LABELS = {
    "components": _("components"),
    "embedded": _("embedded"),
    "label_serial": _("label serial"),
    "label_template": _("label template"),
    "print_batch": _("print batch"),
    "handover": _("handover"),
    "manual_reason": _("reason for a manual count"),
    "reprint_requested": _("label reprint requested"),
    # Disposals
    "disposal": _("disposal case"),
    # Custody and upkeep (issue 18)
    "due_on": _("due back on"),
    "approval_ref": _("approval reference"),
    "year": _("year"),
    "repair": _("repair record"),
    "cost": _("cost (CNY)"),
    # attachments (evidence)
    "attachment": _("attached file"),
}


def field_label(name: str) -> str:
    """The card field's verbose name in the reader's language (or the extra key's label)."""
    try:
        return str(capfirst(Asset._meta.get_field(name).verbose_name))
    except Exception:  # FieldDoesNotExist, or a reverse relation without verbose_name
        return str(capfirst(EXTRA_LABELS.get(name, name.replace("_", " "))))


def _field(name: str):
    try:
        field = Asset._meta.get_field(name)
    except Exception:
        return None
    return field if getattr(field, "concrete", False) else None


def _references(rows) -> dict:
    """{model: {natural key: display}} for every reference the changes name, one query each."""
    wanted: dict = defaultdict(set)
    for name, values in rows:
        field = _field(name)
        model = field.related_model if field is not None and field.is_relation else None
        if name == "components":
            model = Asset
        if name == "label_template":
            from django.apps import apps

            model = apps.get_model("labels", "LabelTemplate")
        if model is None:
            continue
        wanted[model].update(str(value) for value in values if value not in (None, ""))
    found: dict = {}
    for model, keys in wanted.items():
        if not keys:
            continue
        if model is Asset:
            found[model] = {
                tag: f"{tag} {name}"
                for tag, name in Asset.objects.filter(tag__in=keys).values_list("tag", "name")
            }
        elif model in (Department, Location, DelegatedProject):
            found[model] = dict(model.objects.filter(code__in=keys).values_list("code", "name"))
        elif model is Category:
            found[model] = {
                code: f"{code} {name}"
                for code, name in Category.objects.filter(
                    code_system=CURRENT_CODE_SYSTEM, code__in=keys
                ).values_list("code", "name")
            }
        elif model._meta.label_lower == "assets.user":
            found[model] = {
                user.username: str(user) for user in model.objects.filter(username__in=keys)
            }
        elif model._meta.label_lower == "labels.labeltemplate":
            found[model] = {  # a built-in template in the reader's language
                template.code: template.display_name
                for template in model.objects.filter(code__in=keys).only("code", "name")
            }
    return found


def _value(name: str, value, references: dict) -> str:
    if value is None or value == "":
        return EMPTY
    field = _field(name)
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if field is not None and field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(field, models.DecimalField):
        return formatting.money(value)
    if field is not None and field.is_relation:
        return references.get(field.related_model, {}).get(str(value), str(value))
    if name == "components":
        return references.get(Asset, {}).get(str(value), str(value))
    if name == "label_template":
        for model, names in references.items():
            if model._meta.label_lower == "labels.labeltemplate":
                return names.get(str(value), str(value))
    if name in ("print_batch", "repair"):
        return f"#{value}"
    if name == "cost":
        return formatting.money(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _pair(pair) -> tuple:
    if isinstance(pair, list | tuple):
        before, after = (list(pair) + [None, None])[:2]
        return before, after
    return None, pair


# The names of stocktake campaigns by id. Events keep a plain `campaign_id` (assets imports no
# other app); inventory fills this in its AppConfig.ready with a function {ids} -> {id: name}.
_campaign_names = None


def register_campaign_names(names) -> None:
    """Set the function that names campaigns for the timeline (one query per page)."""
    global _campaign_names
    _campaign_names = names


def campaign_names(ids) -> dict:
    ids = {int(pk) for pk in ids if pk is not None}
    if not ids or _campaign_names is None:
        return {}
    return dict(_campaign_names(ids))


def describe_events(events) -> list[dict]:
    """History rows ready for the timeline: `{"event", "changes": [{"label", "before",
    "after"}], "note", "campaign"}`, labels in the reader's language and values as words; a
    note written by code in the reader's language; the campaign by its name."""
    events = list(events)
    campaigns = campaign_names(event.campaign_id for event in events)
    pairs = [
        (name, _pair(pair)) for event in events for name, pair in (event.changes or {}).items()
    ]
    references = _references(pairs)
    rows = []
    for event in events:
        changes = []
        for name, pair in (event.changes or {}).items():
            before, after = _pair(pair)
            changes.append(
                {
                    "label": field_label(name),
                    "before": _value(name, before, references),
                    "after": _value(name, after, references),
                }
            )
        rows.append(
            {
                "event": event,
                "changes": changes,
                "note": _timeline_note(event),
                "campaign": campaigns.get(event.campaign_id)
                or (f"#{event.campaign_id}" if event.campaign_id else ""),
            }
        )
    return rows
