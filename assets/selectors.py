"""Read queries shared by the API, web pages, exports and reminders."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, Func, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from assets import permissions, sql, tags
from assets.models import Asset, AssetEvent, Department, DisposalItem, HandoverItem
from assets.refusals import Refusal

ASSET_LIST_RELATED = (
    "category",
    "owner_department",
    "using_department",
    "managing_department",
    "location",
    "parent",
    "project",
    "custodian_user",
)

# What a card's own answer (`AssetSerializer`) reads of each related row: its natural key (and
# the host's departments, for `permissions.hides_host`). Fetched by join in the card's query,
# without the rest of those rows' columns.
CARD_RELATED_FIELDS = (
    "category__code",
    "category__name",
    "owner_department__code",
    "using_department__code",
    "managing_department__code",
    "location__code",
    "parent__tag",
    "parent__owner_department",
    "parent__using_department",
    "parent__managing_department",
    "project__code",
    "custodian_user__username",
)


def with_card_relations(queryset: QuerySet) -> QuerySet:
    """`queryset` of cards with what one card's API answer shows, in the same query."""
    own = [field.name for field in Asset._meta.concrete_fields]
    return queryset.select_related(*ASSET_LIST_RELATED).only(*own, *CARD_RELATED_FIELDS)


def assets_visible_to(*, user, filters: dict | None = None) -> QuerySet:
    """The cards `user` may read, with what a list row shows fetched alongside, filtered.

    The related rows come by prefetch (one small query each, whatever the page size), not by
    eight joins: at 200,000 cards PostgreSQL spent longer planning the joins than running the
    page query (bench/register.py).
    """
    queryset = permissions.visible_assets(user).prefetch_related(*ASSET_LIST_RELATED)
    return filter_assets(queryset, filters or {})


def mark_hidden_hosts(assets, *, user) -> list[Asset]:
    """`assets` (with `parent` fetched) as a list, each with `host_hidden`: it sits in a host
    `user` may not open, whose tag a list or export then leaves out."""
    scope = permissions.card_reading_scope(user)
    assets = list(assets)
    for asset in assets:
        asset.host_hidden = permissions.hides_host(scope, asset)
    return assets


# What `?q=` searches. PostgreSQL serves the search from two indexes over exactly
# `AssetSearchText`: trigrams (migration 0007) for three characters and more, and the one- and
# two-character grams of `ShortSearch` (migration 0025) below that. Change the fields and both
# indexes together.
SEARCHED_FIELDS = ("tag", "name", "model", "serial_number", "legacy_number", "custodian")
# Between the fields, so a search never matches across two of them; no one types it.
SEARCH_SEPARATOR = "\x1f"


class AssetSearchText(Func):
    """The searched fields of a card in one string, separated by `SEARCH_SEPARATOR`.

    One expression with one index instead of six: a single bitmap scan finds the matches, and
    writes update one trigram index, not six. The fields are NOT NULL, so no COALESCE.
    """

    template = "(%(expressions)s)"
    arg_joiner = " || CHR(31) || "
    output_field = TextField()

    def __init__(self):
        super().__init__(*(Cast(field, TextField()) for field in SEARCHED_FIELDS))


# The longest search `ShortSearch` answers: below trigrams, which need three characters.
SHORT_SEARCH_MAX = 2


class ShortSearch(Func):
    """True when `query` (at most `SHORT_SEARCH_MAX` characters once upper-cased) is a part of
    one field of `text`, case-insensitively: exactly `text__icontains=query`, served by the GIN
    index over `yika_short_grams(AssetSearchText())` (migration 0025), where a trigram index has
    nothing to look up and `icontains` reads every card.

    `yika_short_grams` is the set of one- and two-character parts of `UPPER(text)` (the case
    rule `icontains` compares by), none across the field separator, so the query is one of them
    exactly when `icontains` matches. `query` is upper-cased by PostgreSQL, as `icontains` does.
    """

    template = "yika_short_grams(%(expressions)s) @> ARRAY[UPPER(%(query)s)]"
    output_field = BooleanField()

    def __init__(self, text, query: str):
        self.query = query
        super().__init__(text)

    def as_sql(self, compiler, connection, **extra_context):
        query_sql, query_params = compiler.compile(Value(self.query, output_field=TextField()))
        sql, params = super().as_sql(compiler, connection, query=query_sql, **extra_context)
        return sql, (*params, *query_params)


def filter_assets(queryset: QuerySet, filters: dict) -> QuerySet:
    """Apply the register's search and filters (shared by list pages, API and exports).

    `q` matches any part of the tag, name, model, serial number, legacy number or custodian,
    case-insensitively. Cards whose tag, serial number or legacy number *is* the search come
    first (a scanned or typed number finds its card at the top), then the rest by tag.
    """
    q = (filters.get("q") or "").replace(SEARCH_SEPARATOR, "").strip()
    if q:
        exact = Q(tag=tags.normalise(q)) | Q(serial_number__iexact=q) | Q(legacy_number__iexact=q)
        # Python's upper() maps as PostgreSQL's or longer (ß: SS), so a query it leaves at two
        # characters is at most two in PostgreSQL too: such a search has no trigram.
        if len(q.upper()) <= SHORT_SEARCH_MAX:
            matches = ShortSearch(F("search_text"), q)
        else:
            matches = Q(search_text__icontains=q)
        # The ranking is also what keeps the search fast: ordered by tag alone, PostgreSQL walks
        # the tag index hoping to meet 50 matches early, and reads most of the register when
        # the matches sit together (a batch registered in a row, serials in sequence). Ranked,
        # it takes the matches from the search index and sorts them, which costs about what
        # the page's COUNT already costs (bench/register.py).
        queryset = (
            queryset.alias(
                search_text=AssetSearchText(),
                search_rank=Case(When(exact, then=Value(0)), default=Value(1)),
            )
            .filter(matches)
            .order_by("search_rank", "tag")
        )
    return queryset


def asset_subtree_ids(*, asset: Asset) -> list[tuple[int, int]]:
    """(id, depth below `asset`) of every card in its subtree, depth-first, siblings by tag."""
    return sql.asset_subtree_ids(asset.pk)


def asset_subtree(*, asset: Asset) -> list[Asset]:
    """The whole subtree below `asset` in two queries, depth-first; `tree_depth` is the depth
    below `asset` (1 = a direct component)."""
    rows = asset_subtree_ids(asset=asset)
    if not rows:
        return []
    nodes = Asset.objects.filter(pk__in=[pk for pk, _depth in rows]).select_related(
        "category", "location", "owner_department"
    )
    by_id = {node.pk: node for node in nodes}
    result = []
    for pk, depth in rows:
        node = by_id[pk]
        node.tree_depth = depth
        result.append(node)
    return result


# The keys of `sql.asset_subtree_rows`' columns the API shows, in order.
SUBTREE_ROW_KEYS = (
    "tag",
    "name",
    "model",
    "serial_number",
    "category",
    "location",
    "parent",
    "depth",
    "install_mode",
    "label_mode",
    "status",
)
# Read by the scope check, never shown: `represent_rows` keeps only the serializer's fields.
_SUBTREE_SCOPE_KEYS = (
    "id",
    "parent_id",
    "owner_department_id",
    "using_department_id",
    "managing_department_id",
)


def asset_subtree_rows(*, asset: Asset, user) -> ScopedSubtree:
    """The subtree below `asset` that `user` may read, as plain rows, depth-first, siblings by
    tag, in one query; with the number of components left out.

    Keys are `SUBTREE_ROW_KEYS`: references as natural keys (category and location codes, the
    host's tag as `parent`) and `depth` below `asset` (1 = a direct component). A component
    the reader may not open is left out with everything below it (`ScopedSubtree`).
    """
    keys = (*SUBTREE_ROW_KEYS, *_SUBTREE_SCOPE_KEYS)
    rows = [dict(zip(keys, row, strict=True)) for row in sql.asset_subtree_rows(asset.pk)]
    return _in_scope(
        rows,
        root_id=asset.pk,
        user=user,
        node_keys=lambda row: (
            row["id"],
            row["parent_id"],
            row["owner_department_id"],
            row["using_department_id"],
            row["managing_department_id"],
        ),
    )


@dataclass(frozen=True)
class ScopedSubtree:
    """The part of a subtree a reader may see, and how many components were left out.

    A component outside the reader's scope is left out together with everything below it, so
    every listed component's host is listed too (or is the card itself) and no hidden tag
    appears as a `parent`; the left-out components are only counted (SECURITY.md: out of scope
    is not shown).
    """

    nodes: list
    hidden: int


def _in_scope(nodes: list, *, root_id: int, user, node_keys) -> ScopedSubtree:
    """Keep the nodes (depth-first, hosts before their components) `user` may read whose hosts
    are kept too; `node_keys(node)` gives (id, parent id, owner, using, managing department)."""
    scope = permissions.card_reading_scope(user)
    kept_ids = {root_id}
    kept = []
    for node in nodes:
        pk, parent_id, owner_id, using_id, managing_id = node_keys(node)
        if parent_id in kept_ids and permissions.reads_card(
            scope, owner_id=owner_id, using_id=using_id, managing_id=managing_id
        ):
            kept_ids.add(pk)
            kept.append(node)
    return ScopedSubtree(nodes=kept, hidden=len(nodes) - len(kept))


def visible_asset_subtree(*, asset: Asset, user, nodes: list | None = None) -> ScopedSubtree:
    """`asset_subtree` as `user` may see it (the card page): out-of-scope components are left
    out with everything below them and counted. `nodes` is `asset_subtree(asset=asset)` when
    the caller already has it."""
    return _in_scope(
        asset_subtree(asset=asset) if nodes is None else nodes,
        root_id=asset.pk,
        user=user,
        node_keys=lambda node: (
            node.pk,
            node.parent_id,
            node.owner_department_id,
            node.using_department_id,
            node.managing_department_id,
        ),
    )


def asset_host_chain_ids(*, asset: Asset) -> list[int]:
    """Ids of the hosts above `asset`, outermost first."""
    if not asset.parent_id:
        return []
    return sql.asset_host_chain_ids(asset.pk)


def asset_host_chain(*, asset: Asset, user=None) -> list[Asset | None]:
    """The hosts above `asset`, outermost first (the breadcrumb of a component).

    With `user`, a host they may not read is `None` in its place: the page says a host is
    there without its tag or name.
    """
    ids = asset_host_chain_ids(asset=asset)
    by_id = Asset.objects.in_bulk(ids)
    if user is None:
        return [by_id[pk] for pk in ids]
    readable = set(
        permissions.visible_assets(user, Asset.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    return [by_id[pk] if pk in readable else None for pk in ids]


# A tag-shaped word in a history note ("Retired with its host YK…").
_NOTE_TAG_RE = re.compile(r"[0-9A-Z]{6,40}")
# History changes whose values are other cards' tags.
_TAG_CHANGES = ("parent", "components")


def redact_event_tags(events, *, user) -> list[AssetEvent]:
    """`events` as a list, with every other card's tag `user` may not open (a host or component
    in their `parent`/`components` changes and notes) replaced by "(outside your scope)".
    The rows are not saved (history is append-only); only what is shown changes."""
    events = list(events)
    candidates = set()
    for event in events:
        for key in _TAG_CHANGES:
            pair = (event.changes or {}).get(key)
            for value in pair if isinstance(pair, list) else [pair]:
                if isinstance(value, str):
                    candidates.add(value)
        candidates.update(_NOTE_TAG_RE.findall(event.note or ""))
    if not candidates:
        return events
    scope = permissions.card_reading_scope(user)
    hidden = {
        tag
        for tag, owner_id, using_id, managing_id in Asset.objects.filter(
            tag__in=candidates
        ).values_list("tag", "owner_department_id", "using_department_id", "managing_department_id")
        if not permissions.reads_card(
            scope, owner_id=owner_id, using_id=using_id, managing_id=managing_id
        )
    }
    if not hidden:
        return events
    marker = _("(outside your scope)")
    for event in events:
        changes = dict(event.changes or {})
        for key in _TAG_CHANGES:
            pair = changes.get(key)
            if isinstance(pair, list):
                changes[key] = [marker if value in hidden else value for value in pair]
            elif pair in hidden:
                changes[key] = marker
        event.changes = changes
        if event.note:
            event.note = _NOTE_TAG_RE.sub(
                lambda match: marker if match.group(0) in hidden else match.group(0), event.note
            )
    return events


def asset_events(*, asset: Asset) -> QuerySet:
    return AssetEvent.objects.filter(asset=asset).select_related("actor").order_by("-at", "-id")


def unit_root_id(department) -> int:
    """The top-level department of `department`'s tree (its unit: the bureau with its centre
    and offices): the one ancestor, itself included, without a parent."""
    return (
        Department.objects.filter(
            pk__in=sql.tree_ids(Department, department.pk, up=True), parent__isnull=True
        )
        .values_list("pk", flat=True)
        .get()
    )


def unit_department_ids(department) -> list[int]:
    """Every department of `department`'s unit (`unit_root_id`'s tree): where an internal
    transfer may go, and where a free transfer (无偿划转) may not."""
    return sql.tree_ids(Department, unit_root_id(department))


# Locks. Every service locks its document's row first, then its cards by id, so that two services
# working on the same cards wait for each other instead of deadlocking.
LOCK_CHUNK = 2000


def locked(instance, *related: str):
    """`instance` read again with its row locked until the transaction ends, `related` fetched
    alongside (FOR UPDATE of its own row only: the related rows stay free)."""
    return (
        type(instance)
        .objects.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=instance.pk)
    )


def locked_cards(ids, *related: str) -> list[Asset]:
    """The cards `ids`, locked in id order, `related` fetched alongside, a chunk per statement;
    `ids` may also be a queryset of ids (a document's items), locked in one statement."""
    if isinstance(ids, QuerySet):
        return list(
            Asset.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related(*related)
            .order_by("pk")
        )
    ids = sorted(ids)
    cards: list[Asset] = []
    for start in range(0, len(ids), LOCK_CHUNK):
        cards.extend(
            Asset.objects.select_for_update(of=("self",))
            .filter(pk__in=ids[start : start + LOCK_CHUNK])
            .select_related(*related)
            .order_by("pk")
        )
    return cards


def open_elsewhere(ids, *, handover=None, case=None) -> list[tuple[str, Refusal]]:
    """Why the cards `ids` are not free, as (tag, refusal) by tag: each one in an open handover
    (but `handover`) and each one in an open disposal case (but `case`). A card is in at most
    one open document at a time (DESIGN.md invariant 10)."""
    ids = list(ids)
    problems: list[tuple[str, Refusal]] = []
    for start in range(0, len(ids), LOCK_CHUNK):
        chunk = ids[start : start + LOCK_CHUNK]
        handed = HandoverItem.objects.filter(asset_id__in=chunk, is_open=True)
        if handover is not None:
            handed = handed.exclude(handover_id=handover.pk)
        for tag, number in handed.order_by("asset__tag").values_list(
            "asset__tag", "handover__number"
        ):
            problems.append((tag, Refusal("in_open_handover", {"tag": tag, "number": number})))
        held = DisposalItem.objects.filter(asset_id__in=chunk, is_open=True)
        if case is not None:
            held = held.exclude(case_id=case.pk)
        for tag, number in held.order_by("asset__tag").values_list("asset__tag", "case__number"):
            problems.append((tag, Refusal("in_open_disposal", {"tag": tag, "number": number})))
    return problems


@dataclass(frozen=True)
class Component:
    pk: int
    tag: str
    host_tag: str


def unlisted_components(ids) -> list[Component]:
    """The live components sitting in the cards `ids` that are not among them, by host and tag.

    The "not among them" is checked here, not in SQL: `NOT IN` 5,000 ids per statement cost
    more than the rows it saves."""
    ids = list(ids)
    listed = set(ids)
    found: list[Component] = []
    for start in range(0, len(ids), LOCK_CHUNK):
        rows = (
            Asset.objects.filter(parent_id__in=ids[start : start + LOCK_CHUNK])
            .exclude(status=Asset.Status.RETIRED)
            .values_list("pk", "tag", "parent__tag")
        )
        found.extend(Component(pk, tag, host) for pk, tag, host in rows if pk not in listed)
    return sorted(found, key=lambda component: (component.host_tag, component.tag))
