"""Web pages of handovers (移交): the builder's list and form, the receiver's inbox and
item-by-item review, the handover page with its timeline and certificate, overdue projects.

Pages call `assets.handovers.services`; every object comes through the scoped querysets of
`assets.permissions` (another department's handover is 404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import ListView

from assets import permissions, tags
from assets import selectors as asset_selectors
from assets.errors import DomainError
from assets.forms import ShownLimitsMixin
from assets.handovers import selectors, services
from assets.handovers.certificate import certificate_response
from assets.models import Department, Handover, HandoverArchive, HandoverItem, Location
from config import formatting
from config import forms as yika_forms
from config.pagination import ForgivingPagesMixin

# One parser of typed tags for every box (assets/tags.py); the disposal pages import it here.
scanned_tags = tags.typed_tags


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(m) for messages_ in error.message_dict.values() for m in messages_]
    return [str(m) for m in error.messages]


def _handover_or_404(user, number: str) -> Handover:
    return get_object_or_404(
        selectors.handovers_visible_to(user=user), number=(number or "").strip().upper()
    )


# ------------------------------------------------------------------------------------- lists


class HandoverListView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
    """Every handover the user may read; the builder's working list."""

    template_name = "assets/handover_list.html"
    paginate_by = 50
    context_object_name = "handovers"

    def get_queryset(self):
        state = self.request.GET.get("state") or None
        if state not in Handover.State.values:
            state = None
        return selectors.handovers_visible_to(user=self.request.user, state=state)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["states"] = Handover.State.choices
        context["state"] = self.request.GET.get("state", "")
        context["querystring_base"] = f"state={context['state']}&" if context["state"] else ""
        context["can_create"] = permissions.may_prepare_handovers(self.request.user)
        context["inbox_count"] = selectors.receiver_inbox(user=self.request.user).count()
        return context


class HandoverInboxView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
    """The receiver's inbox: submitted handovers waiting for their department's decision."""

    template_name = "assets/handover_inbox.html"
    paginate_by = 50
    context_object_name = "handovers"

    def get_queryset(self):
        return selectors.receiver_inbox(user=self.request.user)


# ------------------------------------------------------------------------------- the form


# The project picker's choice for a handover without a project (an internal transfer).
INTERNAL = "internal"


# At most this many of the sender's cards are listed to tick; a search narrows them.
SHOWN_CARDS = 100


def _own_unit_departments(user):
    """The active departments of `user`'s unit (the top-level department's tree) other than
    their own; an admin without a department is offered every active department."""
    departments = Department.objects.filter(is_active=True)
    if user.department_id is None:
        return departments.order_by("code")
    unit = asset_selectors.unit_department_ids(user.department)
    return departments.filter(pk__in=unit).exclude(pk=user.department_id).order_by("code")


class HandoverCreateForm(yika_forms.Form):
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"), queryset=None, to_field_name="code", required=False
    )
    internal = forms.BooleanField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    to_department = forms.ModelChoiceField(
        label=gettext_lazy("Receiving department"),
        queryset=Department.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("The project's owning department"),
        help_text=gettext_lazy("Leave empty for the project's owning department."),
    )
    assets = forms.MultipleChoiceField(
        label=gettext_lazy("Assets of the project"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scanned = forms.CharField(
        label=gettext_lazy("Scanned or typed tags"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=gettext_lazy("One tag or label code per line; a scanner can type them here."),
    )
    exclude = forms.CharField(
        label=gettext_lazy("Components to leave out"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "A host brings its embedded components along; list the tags of those that stay."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, project=None, internal=False, q="", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.internal = internal
        self.fields["project"].queryset = permissions.changeable_projects(user).order_by("code")
        self.eligible: list = []
        self.eligible_total = 0
        self.undecidable: list = []
        if internal:
            # No project: the clerk ticks or scans their own cards and names the office that
            # receives them.
            self.fields["project"].widget = forms.HiddenInput()
            self.fields["internal"].initial = True
            self.fields["q"].initial = q
            self.fields["assets"].label = _("Your cards to transfer")
            self._offer_receivers(user)
            if user.department_id is not None:
                matching = selectors.transferable_assets(department=user.department, q=q)
                self.eligible_total = matching.count()
                self.eligible = asset_selectors.mark_hidden_hosts(matching[:SHOWN_CARDS], user=user)
        if project is not None:
            # The project is chosen once, above the form; the form carries it along.
            self.fields["project"].widget = forms.HiddenInput()
            # The project's owner and its offices receive (the service's rule), never the builder.
            self.fields["to_department"].queryset = (
                Department.objects.filter(
                    is_active=True, pk__in=services.project_receiver_ids(project)
                )
                .exclude(pk=project.builder_department_id)
                .order_by("code")
            )
            # A host the clerk may not open is shown as "outside your scope", not by its tag.
            self.eligible = asset_selectors.mark_hidden_hosts(
                selectors.eligible_assets(project=project), user=user
            )
        self.fields["assets"].choices = [
            (a.tag, f"{a.tag} {a.name} {a.model}".strip()) for a in self.eligible
        ]

    def _offer_receivers(self, user):
        """The receivers are the other offices and departments of the clerk's own unit
        (`services.internal_transfer_refusal`; another unit is never offered) that someone
        could decide a handover to (`permissions.handover_decidable_ids`): a department
        without a receiver would refuse the submission, so it is named, not offered."""
        candidates = list(_own_unit_departments(user))
        decidable = permissions.handover_decidable_ids(candidates)
        self.undecidable = [d for d in candidates if d.pk not in decidable]
        to_department = self.fields["to_department"]
        to_department.required = True
        to_department.empty_label = _("Choose the receiving department")
        to_department.queryset = Department.objects.filter(pk__in=decidable).order_by("code")
        to_department.label = _("Receiving office or department")
        to_department.help_text = _(
            "An office or department of your own unit. To another unit, open a disposal "
            "case with method free transfer (无偿划转)."
        )
        if self.undecidable:
            to_department.help_text = _(
                "An office or department of your own unit that has a receiver. Not offered, "
                "because nobody there could accept (no receiver works in it or above it): "
                "%(names)s; an administrator can give someone there the receiver role. To "
                "another unit, open a disposal case with method free transfer (无偿划转)."
            ) % {"names": formatting.text_list(d.name for d in self.undecidable)}

    def other_fields(self):
        """The fields below the item table, in the order a clerk fills them."""
        return [self[name] for name in ("scanned", "exclude", "to_department", "note")]

    def ticked(self) -> set[str]:
        """Tags ticked in the item table (kept when the form comes back with errors)."""
        return set(self["assets"].value() or [])

    def _resolve(self, tag_list: list[str], field: str):
        """The cards of `tag_list` the user reads; every problem at `field` at once: each typo
        (`tags.typing_problem`, the scan page's answer) and the unknown tags together."""
        mistyped = {t: tags.typing_problem(t) for t in tag_list}
        for problem in filter(None, mistyped.values()):
            self.add_error(field, problem)
        well_formed = [t for t in tag_list if not mistyped[t]]
        visible = {
            a.tag: a
            for a in permissions.visible_assets(self.user)
            .filter(tag__in=well_formed)
            .select_related("owner_department")
        }
        unknown = [t for t in well_formed if t not in visible]
        if unknown:
            self.add_error(
                field, _("Unknown asset(s): %(tags)s.") % {"tags": formatting.text_list(unknown)}
            )
        return [visible[t] for t in well_formed if t in visible]

    def clean(self):
        data = super().clean()
        if not self.internal and not data.get("project") and "project" not in self.errors:
            self.add_error("project", _("Choose the project, or an internal transfer."))
        if self.internal:
            data["project"] = None
        chosen = list(dict.fromkeys([*data.get("assets", []), *scanned_tags(data.get("scanned"))]))
        data["asset_objects"] = self._resolve(chosen, "scanned")
        data["exclude_objects"] = self._resolve(scanned_tags(data.get("exclude")), "exclude")
        if self.internal:
            # With the unknown tags, not on the next submit: cards the clerk reads but whose
            # owner is outside their scope (the service's own rule, walk 4.11).
            for problem in services.internal_scope_problems(
                actor=self.user, assets=data["asset_objects"]
            ):
                self.add_error("scanned", problem)
        return data


class HandoverCreateView(LoginRequiredMixin, View):
    """The builder's form: pick the project, then tick its assets, scan tags, or both."""

    template_name = "assets/handover_form.html"

    def _project(self, code):
        if not code:
            return None
        return permissions.changeable_projects(self.request.user).filter(code=code).first()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.may_prepare_handovers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        internal = request.GET.get("project") == INTERNAL
        project = None if internal else self._project(request.GET.get("project"))
        form = HandoverCreateForm(
            user=request.user,
            project=project,
            internal=internal,
            q=(request.GET.get("q") or "").strip()[:200],
            initial={"project": project.code if project else None},
        )
        error = ""
        if "project" in request.GET and project is None and not internal:
            # The picker was sent with no project (or one the user may not hand over): say so.
            error = (
                _("Choose the project whose assets are handed over.")
                if not request.GET.get("project")
                else _("No project of yours has this code.")
            )
        return self._render(form, project, project_error=error)

    def post(self, request):
        internal = request.POST.get("internal") == "True"
        project = None if internal else self._project(request.POST.get("project"))
        form = HandoverCreateForm(
            request.POST,
            user=request.user,
            project=project,
            internal=internal,
            q=(request.POST.get("q") or "").strip()[:200],
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                handover = services.create_handover(
                    actor=request.user,
                    project=data["project"],
                    to_department=data["to_department"],
                    assets=data["asset_objects"],
                    exclude=data["exclude_objects"],
                    note=data["note"],
                )
            except ValidationError as error:
                for message in _error_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Draft handover %(number)s created.") % {"number": handover.number}
                )
                return HttpResponseRedirect(
                    reverse("assets:handover-detail", args=[handover.number])
                )
        return self._render(form, project, status=400)

    def _render(self, form, project, status=200, project_error=""):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "project": project,
                "internal": form.internal,
                "INTERNAL": INTERNAL,
                "project_error": project_error,
                "q": form.fields["q"].initial or "",
            },
            status=status,
        )


# ---------------------------------------------------------------------------- the handover


class ArchiveForm(ShownLimitsMixin, yika_forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=HandoverArchive.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    reference = forms.CharField(
        label=gettext_lazy("Reference or location"), max_length=500, required=False
    )
    copies = forms.IntegerField(label=gettext_lazy("Copies"), min_value=1, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()


class HandoverDetailView(LoginRequiredMixin, View):
    """The handover: parties, items, archives, timeline, actions and the certificate."""

    def get(self, request, number, archive_form=None, status=200):
        handover = _handover_or_404(request.user, number)
        items = list(selectors.handover_items(handover=handover))
        can_prepare = permissions.can_prepare_handover(request.user, handover)
        context = {
            "handover": handover,
            "items": items,
            "archives": list(handover.archives.all()),
            "timeline": selectors.handover_timeline(handover=handover),
            "events": list(selectors.handover_events(handover=handover)[:200]),
            "can_submit": can_prepare and handover.state == Handover.State.DRAFT,
            "can_withdraw": can_prepare and handover.state in services.OPEN_STATES,
            "can_add_archive": can_prepare and handover.state in services.OPEN_STATES,
            "can_decide": handover.state == Handover.State.SUBMITTED
            and permissions.can_decide_handover(request.user, handover),
            "archive_form": archive_form or ArchiveForm(),
            "opening_cases": selectors.opening_cases(handover=handover, user=request.user),
        }
        return render(request, "assets/handover_detail.html", context, status=status)


class _HandoverAction(LoginRequiredMixin, View):
    """A POST that runs one service and comes back to the handover page with a message."""

    def post(self, request, number):
        handover = _handover_or_404(request.user, number)
        # Before the form is read (the service asks again): the receiving side gets 403.
        permissions.require_handover_preparer(request.user, handover)
        try:
            self.run(request, handover)
        except ValidationError as error:
            for message in _error_messages(error):
                messages.error(request, message)
        except DomainError as error:
            messages.error(request, str(error.message))
        return HttpResponseRedirect(reverse("assets:handover-detail", args=[handover.number]))


class HandoverSubmitView(_HandoverAction):
    def run(self, request, handover):
        services.submit_handover(handover=handover, actor=request.user)
        messages.success(request, _("Submitted to %(to)s.") % {"to": handover.to_department.name})


class HandoverWithdrawView(_HandoverAction):
    def run(self, request, handover):
        services.withdraw_handover(
            handover=handover, actor=request.user, reason=request.POST.get("reason", "")[:2000]
        )
        messages.success(request, _("The handover was withdrawn."))


class HandoverArchiveView(_HandoverAction):
    def run(self, request, handover):
        form = ArchiveForm(request.POST)
        if not form.is_valid():
            raise ValidationError(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            )
        services.add_handover_archive(
            handover=handover, actor=request.user, line=services.ArchiveLine(**form.cleaned_data)
        )
        messages.success(request, _("Archive listed."))


# ------------------------------------------------------------------------------- the review


class HandoverReviewView(LoginRequiredMixin, View):
    """The receiver's item-by-item review: accept or reject each card (with a reason)."""

    template_name = "assets/handover_review.html"

    def _load(self, request, number):
        handover = _handover_or_404(request.user, number)
        permissions.require_handover_decider(request.user, handover)
        return handover

    def _context(self, request, handover, values=None, errors=None, row_errors=None):
        items = list(selectors.handover_items(handover=handover))
        values = values or {}
        row_errors = row_errors or {}
        rows = [
            {
                "item": item,
                "result": values.get(item.asset.tag, {}).get("result", ""),
                "reason": values.get(item.asset.tag, {}).get("reason", ""),
                "location": values.get(item.asset.tag, {}).get("location", ""),
                "using": values.get(item.asset.tag, {}).get("using", ""),
                "custodian": values.get(item.asset.tag, {}).get("custodian", ""),
                "errors": row_errors.get(item.asset.tag, []),
            }
            for item in items
        ]
        for row in rows:
            row["invalid"] = _invalid_control(row) if row["errors"] else ""
        return {
            "handover": handover,
            "opening_cases": selectors.opening_cases(handover=handover, user=request.user),
            "rows": rows,
            "errors": errors or [],
            "first_invalid": next((row["item"].asset.tag for row in rows if row["errors"]), ""),
            "comment": values.get("__comment__", ""),
            # Only where the receiver may place what it accepts (the service checks it too).
            "locations": Location.objects.filter(
                is_active=True, pk__in=permissions.receiving_location_ids(handover)
            ).order_by("code"),
            # The receiving department and its offices: where accepted cards may be used.
            "using_departments": Department.objects.filter(
                is_active=True, pk__in=permissions.receiving_department_ids(handover)
            ).order_by("code"),
            "decidable": handover.state == Handover.State.SUBMITTED,
            "limits": {
                "reason": REASON_LIMIT,
                "custodian": CUSTODIAN_LIMIT,
                "comment": COMMENT_LIMIT,
            },
        }

    def get(self, request, number):
        handover = self._load(request, number)
        return render(request, self.template_name, self._context(request, handover))

    def post(self, request, number):
        handover = self._load(request, number)
        items = list(selectors.handover_items(handover=handover))
        locations = {}
        using_departments = {
            department.code: department
            for department in Department.objects.filter(
                pk__in=permissions.receiving_department_ids(handover)
            )
        }
        values: dict = {"__comment__": request.POST.get("comment", "")}
        decisions = []
        errors: list[str] = []
        row_errors: dict[str, list[str]] = {}
        for item in items:
            tag = item.asset.tag
            row = {
                "result": request.POST.get(f"result-{tag}", ""),
                "reason": request.POST.get(f"reason-{tag}", ""),
                "location": request.POST.get(f"location-{tag}", "").strip(),
                "using": request.POST.get(f"using-{tag}", "").strip(),
                "custodian": request.POST.get(f"custodian-{tag}", ""),
            }
            values[tag] = row
            for name, limit in (("reason", REASON_LIMIT), ("custodian", CUSTODIAN_LIMIT)):
                if len(row[name]) > limit:
                    row_errors.setdefault(tag, []).append(_too_long(name, row[name], limit))
            if row["result"] not in (HandoverItem.Result.ACCEPTED, HandoverItem.Result.REJECTED):
                row_errors.setdefault(tag, []).append(_("Choose Accept or Reject."))
                continue
            if row["result"] == HandoverItem.Result.REJECTED and not row["reason"].strip():
                row_errors.setdefault(tag, []).append(_("Give the reason for rejecting it."))
            location = None
            if row["location"]:
                if row["location"] not in locations:
                    locations[row["location"]] = Location.objects.filter(
                        code=row["location"]
                    ).first()
                location = locations[row["location"]]
                if location is None:
                    row_errors.setdefault(tag, []).append(
                        _("Unknown location “%(code)s”.") % {"code": row["location"]}
                    )
            using = None
            if row["using"]:
                using = using_departments.get(row["using"])
                if using is None:
                    row_errors.setdefault(tag, []).append(
                        _("Unknown using department “%(code)s”.") % {"code": row["using"]}
                    )
            decisions.append(
                services.ItemDecision(
                    tag=tag,
                    result=row["result"],
                    reason=row["reason"],
                    custodian=row["custodian"],
                    location=location,
                    using_department=using,
                )
            )
        if len(values["__comment__"]) > COMMENT_LIMIT:
            errors.append(_too_long("comment", values["__comment__"], COMMENT_LIMIT))
        if row_errors:
            errors.insert(0, _review_summary(row_errors))
        if not errors:
            try:
                handover = services.decide_handover(
                    handover=handover,
                    actor=request.user,
                    decisions=decisions,
                    comment=values["__comment__"],
                )
            except ValidationError as error:
                errors, row_errors = _split_by_tag(_error_messages(error), values)
            except DomainError as error:
                errors = [str(error.message)]
            else:
                messages.success(request, _decided_message(handover))
                return HttpResponseRedirect(
                    reverse("assets:handover-detail", args=[handover.number])
                )
        handover.refresh_from_db()
        status = 409 if handover.state != Handover.State.SUBMITTED else 400
        return render(
            request,
            self.template_name,
            self._context(request, handover, values, errors, row_errors),
            status=status,
        )


# Text limits of the review: shown beside each box and enforced with an error, never cut.
REASON_LIMIT = 2000
CUSTODIAN_LIMIT = HandoverItem._meta.get_field("new_custodian").max_length
COMMENT_LIMIT = 4000


def _too_long(name: str, text: str, limit: int) -> str:
    labels = {
        "reason": _("Reason"),
        "custodian": _("New custodian"),
        "comment": _("Comment"),
    }
    return _("%(field)s: at most %(limit)s characters; this text has %(length)s.") % {
        "field": labels[name],
        "limit": limit,
        "length": len(text),
    }


def _invalid_control(row: dict) -> str:
    """Which control of a refused row the receiver must fix: the result, the reason or the
    location (the page marks it `aria-invalid` and the first such control gets the focus)."""
    if row["result"] not in (HandoverItem.Result.ACCEPTED, HandoverItem.Result.REJECTED):
        return "result"
    if row["result"] == HandoverItem.Result.REJECTED and not row["reason"].strip():
        return "reason"
    if len(row["reason"]) > REASON_LIMIT:
        return "reason"
    if len(row["custodian"]) > CUSTODIAN_LIMIT:
        return "custodian"
    if row["location"] and row["result"] == HandoverItem.Result.ACCEPTED:
        return "location"
    if row.get("using") and row["result"] == HandoverItem.Result.ACCEPTED:
        return "using"
    return "result"


def _review_summary(row_errors: dict[str, list[str]]) -> str:
    """The line on top of the review naming every item that still needs the receiver."""
    return ngettext(
        "%(count)s item needs your attention: %(tags)s.",
        "%(count)s items need your attention: %(tags)s.",
        len(row_errors),
    ) % {"count": len(row_errors), "tags": formatting.text_list(row_errors)}


def _split_by_tag(problems: list[str], values: dict) -> tuple[list[str], dict[str, list[str]]]:
    """A service refusal that names an item goes beside that item; the rest stay on top."""
    row_errors: dict[str, list[str]] = {}
    general: list[str] = []
    item_tags = [tag for tag in values if tag != "__comment__"]
    for problem in problems:
        tag = next((t for t in item_tags if problem.startswith(t)), None)
        if tag is None:
            general.append(problem)
        else:
            row_errors.setdefault(tag, []).append(problem)
    if row_errors:
        general.insert(0, _review_summary(row_errors))
    return general, row_errors


def _decided_message(handover: Handover) -> str:
    """What the decision did, in numbers: accepted, rejected, and where ownership went."""
    results = list(handover.items.values_list("result", flat=True))
    accepted = results.count(HandoverItem.Result.ACCEPTED)
    rejected = results.count(HandoverItem.Result.REJECTED)
    facts = {
        "number": handover.number,
        "accepted": accepted,
        "rejected": rejected,
        "department": handover.to_department.name,
        "builder": handover.from_department.name,
    }
    if not accepted:
        return (
            _(
                "Handover %(number)s decided: nothing accepted, so every item stays with "
                "%(builder)s. The certificate is stored."
            )
            % facts
        )
    if not rejected:
        # Nothing refused: no "0 rejected", no rejected ones staying with the sender.
        return (
            ngettext(
                "Handover %(number)s decided: the %(accepted)s item is accepted and its "
                "ownership moved to %(department)s. The certificate is stored.",
                "Handover %(number)s decided: all %(accepted)s items are accepted and their "
                "ownership moved to %(department)s. The certificate is stored.",
                accepted,
            )
            % facts
        )
    return (
        ngettext(
            "Handover %(number)s decided: %(accepted)s item accepted, %(rejected)s rejected. "
            "Ownership of the accepted item moved to %(department)s; the rejected ones stay "
            "with %(builder)s. The certificate is stored.",
            "Handover %(number)s decided: %(accepted)s items accepted, %(rejected)s rejected. "
            "Ownership of the accepted items moved to %(department)s; the rejected ones stay "
            "with %(builder)s. The certificate is stored.",
            accepted,
        )
        % facts
    )


class HandoverCertificateView(LoginRequiredMixin, View):
    """The stored certificate, as decided; never regenerated."""

    def get(self, request, number):
        return certificate_response(_handover_or_404(request.user, number), request=request)


class OverdueProjectsView(LoginRequiredMixin, View):
    """Projects whose handover is overdue, and projects without 决算 a year after acceptance."""

    def get(self, request):
        return render(
            request,
            "assets/handover_overdue.html",
            {
                "handover_overdue": selectors.overdue_handover_projects(user=request.user),
                "accounts_overdue": selectors.final_accounts_overdue_projects(user=request.user),
            },
        )
