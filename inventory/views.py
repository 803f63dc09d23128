"""Web pages of stocktakes: the campaign list and dashboard, the phone scan page, the
discrepancy list and the admin forms. Pages call services and selectors only."""

import copy
from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from assets import permissions as asset_permissions
from assets.attachments import selectors as attachment_selectors
from assets.attachments import serving
from assets.disposals.views import DisposalForm, save_case_form
from assets.errors import DomainError
from assets.models import Department, DisposalCase, Location
from config import formatting
from config.pagination import ForgivingPagesMixin
from inventory import attachments, exports, permissions, selectors
from inventory.forms import CampaignForm, ExplainForm, PostSurplusForm
from inventory.models import Difference, LineResult, StocktakeCampaign
from inventory.services import campaigns, differences


def readable_cases(user, items) -> set[int]:
    """The disposal cases of `items` (differences) whose page `user` may open
    (`asset_permissions.readable_disposals`, the disposal page's own rule): the others are
    named without a link (walk 2)."""
    ids = {item.disposal_id for item in items if item.disposal_id}
    if not ids:
        return set()
    cases = DisposalCase.objects.filter(pk__in=ids)
    return set(asset_permissions.readable_disposals(user, cases).values_list("pk", flat=True))


class CampaignMixin(LoginRequiredMixin):
    def get_campaign(self) -> StocktakeCampaign:
        campaign = (
            selectors.campaigns_visible_to(user=self.request.user)
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if campaign is None:
            raise Http404
        return campaign


class CampaignListView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
    template_name = "inventory/campaign_list.html"
    paginate_by = 30
    context_object_name = "campaigns"

    def get_queryset(self):
        return selectors.campaigns_visible_to(user=self.request.user).order_by("-year", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_plan"] = permissions.can_plan_campaigns(self.request.user)
        return context


class CampaignCreateView(LoginRequiredMixin, FormView):
    template_name = "inventory/campaign_form.html"
    form_class = CampaignForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            permissions.require_may_plan(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        today = timezone.localdate()
        return {"year": today.year, "reference_date": date(today.year, 12, 31)}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["departments"] = asset_permissions.assignable_departments(self.request.user)
        kwargs["locations"] = asset_permissions.placeable_locations(self.request.user)
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            campaign = campaigns.create_campaign(actor=self.request.user, **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Campaign planned. Activate it to start counting."))
        return redirect("inventory:campaign-detail", pk=campaign.pk)


class CampaignDetailView(CampaignMixin, TemplateView):
    """The auditor's dashboard: progress per department and location, overdue, differences."""

    template_name = "inventory/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        user = self.request.user
        by_department = selectors.progress(campaign=campaign, user=user, by="department")
        summary = selectors.progress_summary(by_department)
        report = (
            selectors.report(campaign=campaign, user=user)
            if campaign.state != StocktakeCampaign.State.DRAFT
            else None
        )
        overdue = campaign.state == StocktakeCampaign.State.ACTIVE and (
            timezone.localdate() > campaign.due_on
        )
        context.update(
            campaign=campaign,
            by_department=by_department,
            by_location=selectors.progress(campaign=campaign, user=user, by="location"),
            summary=summary,
            total=summary["total"],
            done=summary["done"],
            percent=summary["percent"],
            overdue=overdue,
            overdue_departments=[r for r in by_department if r["pending"]] if overdue else [],
            can_manage=permissions.can_manage(self.request.user, campaign),
            is_admin=asset_permissions.is_admin(self.request.user),
            can_count=campaign.state == StocktakeCampaign.State.ACTIVE
            and permissions.can_count(self.request.user),
            report=report,
            report_coverage=exports.coverage_text(report) if report else "",
            intact=selectors.result_is_intact(campaign=campaign) if campaign.result else None,
        )
        if campaign.state == StocktakeCampaign.State.CLOSED:
            still_open = (
                selectors.differences_visible_to(user=user, campaign=campaign)
                .filter(selectors.OPEN_DIFFERENCE)
                .select_related("line__asset", "disposal")
            )
            context["still_open"] = list(still_open[: self.OPEN_SHOWN + 1])
            context["readable_cases"] = readable_cases(user, context["still_open"])
            context["open_shown"] = self.OPEN_SHOWN
        if context["can_manage"]:
            context.update(self.confirmations(campaign))
        return context

    OPEN_SHOWN = 50

    @staticmethod
    def confirmations(campaign: StocktakeCampaign) -> dict:
        """What activate / close / archive will do, in numbers, for the confirmation and the
        sentence beside the button."""
        State = StocktakeCampaign.State
        if campaign.state == State.DRAFT:
            # Activation is refused while another active campaign counts some of its cards: the
            # page says so, naming it, instead of offering a button that can only be refused.
            overlap = campaigns.overlap_message(selectors.overlapping_campaigns(campaign=campaign))
            if overlap:
                return {"action_note": overlap, "action_confirm": "", "overlap": True}
            count = selectors.activation_preview(campaign=campaign)
            return {
                "action_note": ngettext(
                    "Activating freezes the book snapshot of %(count)s card; cards registered "
                    "later are not in this count.",
                    "Activating freezes the book snapshot of %(count)s cards; cards registered "
                    "later are not in this count.",
                    count,
                )
                % {"count": count},
                "action_confirm": ngettext(
                    "Start counting? The book snapshot of %(count)s card will be frozen.",
                    "Start counting? The book snapshot of %(count)s cards will be frozen.",
                    count,
                )
                % {"count": count},
            }
        summary = selectors.count_summary(campaign=campaign)
        if campaign.state == State.ACTIVE:
            count = summary["open"]
            return {
                "action_note": ngettext(
                    "%(counted)s of %(book)s cards counted. Closing records the %(count)s card "
                    "not counted yet as a shortage and stops the count.",
                    "%(counted)s of %(book)s cards counted. Closing records the %(count)s cards "
                    "not counted yet as shortages and stops the count.",
                    count,
                )
                % {"counted": summary["counted"], "book": summary["book"], "count": count},
                "action_confirm": ngettext(
                    "Close the count? %(count)s card not counted yet will be recorded as a "
                    "shortage, and nobody can scan any more. This cannot be undone.",
                    "Close the count? %(count)s cards not counted yet will be recorded as "
                    "shortages, and nobody can scan any more. This cannot be undone.",
                    count,
                )
                % {"count": count},
            }
        if campaign.state == State.CLOSED:
            count = summary["open_differences"]
            note = campaigns.open_differences_message(summary) or _(
                "Every difference is posted: the campaign can be archived."
            )
            return {
                "open_differences": count,
                "action_note": note,
                "action_confirm": _(
                    "Archive the campaign? Its result and %(differences)s differences become "
                    "read-only for good."
                )
                % {"differences": summary["differences"]},
            }
        return {}


class CampaignActionView(CampaignMixin, View):
    """POST activate / close / archive from the dashboard; the answer says what happened."""

    actions = {
        "activate": campaigns.activate_campaign,
        "close": campaigns.close_campaign,
        "archive": campaigns.archive_campaign,
    }

    def post(self, request, pk, verb):
        campaign = self.get_campaign()
        if verb not in self.actions:
            raise Http404
        # The service refuses one who may not manage (or archive) the campaign, with the reason
        # the 403 page shows.
        try:
            campaign = self.actions[verb](campaign=campaign, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, self.answer(verb, campaign))
        return redirect("inventory:campaign-detail", pk=campaign.pk)

    @staticmethod
    def answer(verb: str, campaign: StocktakeCampaign) -> str:
        summary = selectors.count_summary(campaign=campaign)
        if verb == "activate":
            return ngettext(
                "Counting started: the book snapshot of %(count)s card is frozen.",
                "Counting started: the book snapshot of %(count)s cards is frozen.",
                summary["book"],
            ) % {"count": summary["book"]}
        if verb == "close":
            return _(
                "Count closed: %(counted)s counted, %(missing)s shortages, %(surplus)s surplus "
                "finds; %(differences)s differences raised."
            ) % {
                "counted": summary["counted"],
                "missing": summary["missing"],
                "surplus": summary["surplus"],
                "differences": summary["differences"],
            }
        return _("Campaign archived: its result and %(differences)s differences are read-only.") % {
            "differences": summary["differences"]
        }


class ScanView(CampaignMixin, TemplateView):
    """The clerk's phone page: camera, keyboard-wedge field, big answer, pending nearby."""

    template_name = "inventory/scan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        self.check_may_scan(campaign)
        context["campaign"] = campaign
        # The places of the counter's own lines and department, grouped under their parent: the
        # whole register's rooms and racks would be a list too long to scroll on a phone.
        user = self.request.user
        mine = selectors.lines_visible_to(user=user, campaign=campaign).values("location")
        places = Q(pk__in=mine)
        if user.department_id is not None:
            places |= Q(department_id=user.department_id)
        context["locations"] = (
            Location.objects.filter(is_active=True)
            .filter(places)
            .select_related("parent")
            .order_by("parent__code", "code")
        )
        return context

    def check_may_scan(self, campaign: StocktakeCampaign) -> None:
        """PermissionDenied with the reason, which the site's 403 page shows."""
        State = StocktakeCampaign.State
        permissions.require_counter(self.request.user)
        if campaign.state == State.DRAFT:
            raise PermissionDenied(
                _("The count has not started yet: scanning opens when the campaign is activated.")
            )
        if campaign.state != State.ACTIVE:
            raise PermissionDenied(_("The count is closed: no more scans can be recorded."))


OPEN_STATE = "open"


class DifferenceListView(CampaignMixin, ForgivingPagesMixin, ListView):
    """The difference desk: filters, and for those who may treat them, row checkboxes with bulk
    explain / approve / post. Auditors read it and change nothing."""

    template_name = "inventory/difference_list.html"
    paginate_by = 50
    context_object_name = "differences"

    def get_queryset(self):
        self.campaign = self.get_campaign()
        self.visible = selectors.differences_visible_to(
            user=self.request.user, campaign=self.campaign
        )
        items = self.visible.select_related(
            "line__location", "line__counted_location", "line__asset", "disposal"
        ).annotate(photo_file=attachments.photo_file("line_id"))
        items = selectors.with_holder_confirmations(items)
        kind = self.request.GET.get("kind")
        if kind in Difference.Kind.values:
            items = items.filter(kind=kind)
        state = self.request.GET.get("state")
        if state == OPEN_STATE:
            items = items.filter(selectors.OPEN_DIFFERENCE)
        elif state in Difference.State.values:
            items = items.filter(state=state)
        department = (self.request.GET.get("department") or "").strip()
        if department:
            items = items.filter(line__department__code=department)
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        user = self.request.user
        departments = Department.objects.filter(
            pk__in=self.visible.values("line__department")
        ).order_by("code")
        treats = self.campaign.state == StocktakeCampaign.State.CLOSED
        context.update(
            campaign=self.campaign,
            kinds=Difference.Kind.choices,
            states=[(OPEN_STATE, _("Still open")), *Difference.State.choices],
            departments=departments,
            can_explain=treats and permissions.can_explain_differences(user),
            can_approve=treats and permissions.can_approve_differences(user),
            can_open_case=treats and asset_permissions.may_prepare_disposals(user),
            querystring_base=(query.urlencode() + "&") if query else "",
            readable_cases=readable_cases(user, context["differences"]),
            bulk=getattr(self, "bulk", {"ids": set(), "errors": {}}),
        )
        # Which bulk actions each row can take (`differences.bulk_refusal`): the confirm counts
        # only those rows and says how many ticked ones are skipped (bulk_confirm.js).
        for item in context["differences"]:
            item.bulk_actions = " ".join(
                action
                for action in differences.DIFFERENCE_ACTIONS
                if not differences.bulk_refusal(item, action)
            )
        return context


class DifferenceBulkView(CampaignMixin, View):
    """POST the ticked differences with one action: all of them change, or none."""

    def post(self, request, pk):
        campaign = self.get_campaign()
        permissions.require_difference_role(request.user, approve=False)
        target = reverse("inventory:difference-list", args=[campaign.pk])
        back = request.POST.get("next") or ""
        if back.startswith("?"):
            target += back
        action = request.POST.get("action", "")
        if action not in differences.DIFFERENCE_ACTIONS:
            messages.error(request, _("Choose explain, approve or post."))
            return redirect(target)
        permissions.require_difference_role(request.user, approve=action != "explain")
        ids = [value for value in request.POST.getlist("ids") if value.isdigit()]
        ticked = list(
            selectors.differences_visible_to(user=request.user, campaign=campaign).filter(
                pk__in=ids
            )
        )
        if not ticked:
            messages.error(request, _("Tick at least one difference."))
            return redirect(target)
        # Ticked rows the action cannot take are skipped, each group saying why (walk 7); the
        # others are treated together, all or none.
        skipped: dict[str, list[str]] = {}
        eligible = []
        for item in ticked:
            refusal = differences.bulk_refusal(item, action)
            if refusal:
                skipped.setdefault(refusal, []).append(differences.item_label(item))
            else:
                eligible.append(item)
        for refusal, labels in skipped.items():
            messages.warning(
                request,
                ngettext(
                    "%(count)s ticked difference skipped (%(tags)s): %(why)s",
                    "%(count)s ticked differences skipped (%(tags)s): %(why)s",
                    len(labels),
                )
                % {"count": len(labels), "tags": formatting.text_list(labels), "why": refusal},
            )
        if not eligible:
            messages.error(request, _("Nothing was changed."))
            return redirect(target)
        try:
            count = differences.treat_differences(
                differences=eligible,
                actor=request.user,
                action=action,
                reason=request.POST.get("reason", ""),
                responsible=request.POST.get("responsible", ""),
                treatment=request.POST.get("treatment", ""),
            )
        except ValidationError as error:
            for text in (m for ms in error.message_dict.values() for m in ms):
                messages.error(request, text)
            messages.error(request, _("Nothing was changed."))
            return self._refused(request, pk, back, error.message_dict)
        except DomainError as error:
            messages.error(request, str(error.message))
            messages.error(request, _("Nothing was changed."))
            return self._refused(request, pk, back, {})
        else:
            done = {
                "explain": ngettext(
                    "%(count)s difference explained.", "%(count)s differences explained.", count
                ),
                "approve": ngettext(
                    "%(count)s difference approved.", "%(count)s differences approved.", count
                ),
                "post": ngettext(
                    "%(count)s difference posted.", "%(count)s differences posted.", count
                ),
            }[action]
            messages.success(request, done % {"count": count})
            if action == "post":
                # A row whose card can join no disposal case stays approved: name it and why.
                for item in Difference.objects.filter(
                    pk__in=[d.pk for d in ticked], state=Difference.State.APPROVED
                ).exclude(disposal_refusals=[]):
                    messages.warning(
                        request,
                        _("%(tag)s is not posted: %(why)s")
                        % {"tag": differences.item_label(item), "why": item.disposal_problem},
                    )
        return redirect(target)

    @staticmethod
    def _refused(request, pk, back, errors):
        """A refused bulk action answers the desk (400) as the clerk left it: the same filters,
        the rows still ticked, the typed texts kept and the missing field marked (walk4-4)."""
        listing = copy.copy(request)
        listing.method = "GET"
        listing.GET = QueryDict(back[1:] if back.startswith("?") else "")
        view = DifferenceListView()
        view.setup(listing, pk=pk)
        view.bulk = {
            "ids": {int(v) for v in request.POST.getlist("ids") if v.isdigit()},
            "reason": request.POST.get("reason", ""),
            "responsible": request.POST.get("responsible", ""),
            "treatment": request.POST.get("treatment", ""),
            "errors": {field: errors[field] for field in ("reason",) if field in errors},
        }
        response = view.get(listing, pk=pk)
        response.status_code = 400
        return response


class DifferenceCaseView(CampaignMixin, View):
    """“Open a disposal case from these differences”: the desk's ticked shortages and damage
    (posted, in no live case) fill the disposal form; saving it opens the case and the
    differences follow it. The form and its rules are the disposal package's."""

    template_name = "assets/disposal_form.html"

    def _eligible(self, request, campaign):
        ids = [value for value in request.POST.getlist("ids") if value.isdigit()]
        ticked = list(
            selectors.differences_visible_to(user=request.user, campaign=campaign)
            .select_related("line__asset", "disposal")
            .filter(pk__in=ids)
        )
        return [d for d in ticked if d.needs_disposal_case]

    def _page(self, request, campaign, form, chosen, status=200):
        context = {
            "form": form,
            "action": reverse("inventory:difference-case", args=[campaign.pk]),
            "difference_ids": [d.pk for d in chosen],
            "campaign": campaign,
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, pk):
        campaign = self.get_campaign()
        if not asset_permissions.may_prepare_disposals(request.user):
            raise PermissionDenied(_("Only asset clerks prepare disposal cases."))
        chosen = self._eligible(request, campaign)
        if not chosen:
            messages.error(
                request,
                _("Tick posted shortages or damage that are in no disposal case yet."),
            )
            return redirect("inventory:difference-list", pk=campaign.pk)
        if request.POST.get("build") != "1":
            initial = {
                **differences.case_fields(campaign=campaign, kinds=[d.kind for d in chosen]),
                "tags": "\n".join(d.line.asset.tag for d in chosen),
            }
            return self._page(
                request, campaign, DisposalForm(user=request.user, initial=initial), chosen
            )
        form = DisposalForm(request.POST, request.FILES, user=request.user)
        case = save_case_form(
            request,
            form,
            lambda **given: differences.open_disposal_case(
                actor=request.user, differences=chosen, **given
            ),
        )
        if case is not None:
            return redirect("assets:disposal-detail", number=case.number)
        return self._page(request, campaign, form, chosen, status=400)


class DifferenceDetailView(CampaignMixin, TemplateView):
    """One difference: what the count found, its history, and the next step for those who may
    take it (explain, approve, post; a surplus is posted with the draft card's fields)."""

    template_name = "inventory/difference_detail.html"

    def get_difference(self) -> Difference:
        self.campaign = self.get_campaign()
        return get_object_or_404(
            selectors.differences_visible_to(
                user=self.request.user, campaign=self.campaign
            ).select_related(
                "line__location",
                "line__counted_location",
                "line__counted_by",
                "line__asset",
                "explained_by",
                "approved_by",
                "posted_by",
                "disposal",
            ),
            pk=self.kwargs["difference_id"],
        )

    def forms(self, difference, data=None, step=""):
        user = self.request.user
        treats = self.campaign.state == StocktakeCampaign.State.CLOSED
        State = Difference.State
        explain = post = None
        if (
            treats
            and difference.state in (State.RAISED, State.EXPLAINED)
            and permissions.can_explain_differences(user)
        ):
            explain = ExplainForm(
                data if step == "explain" else None,
                initial={
                    "reason": difference.reason,
                    "responsible": difference.responsible,
                    "treatment": difference.treatment,
                    "write_back": difference.write_back,
                },
            )
            if difference.kind != Difference.Kind.MISMATCH:
                del explain.fields["write_back"]
        if (
            treats
            and difference.state == State.APPROVED
            and difference.kind == Difference.Kind.SURPLUS
            and permissions.can_approve_differences(user)
        ):
            post = PostSurplusForm(
                data if step == "post" else None,
                departments=asset_permissions.assignable_departments(user),
                initial={"name": difference.line.note[:200]},
            )
        return {
            "explain_form": explain,
            "post_form": post,
            "can_approve": treats
            and difference.state == State.EXPLAINED
            and permissions.can_approve_differences(user),
            "can_post": treats
            and difference.state == State.APPROVED
            and permissions.can_approve_differences(user),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        difference = kwargs.get("difference") or self.get_difference()
        context.update(
            campaign=self.campaign,
            difference=difference,
            line=difference.line,
            line_has_photo=attachments.has_photo(difference.line),
            readable_cases=readable_cases(self.request.user, [difference]),
        )
        context.update(kwargs.get("forms") or self.forms(difference))
        return context

    def post(self, request, pk, difference_id):
        difference = self.get_difference()
        permissions.require_difference_role(request.user, approve=False)
        step = request.POST.get("step", "")
        forms = self.forms(difference, request.POST, step)
        here = redirect("inventory:difference-detail", pk=pk, difference_id=difference.pk)
        try:
            if step == "explain" and forms["explain_form"] is not None:
                form = forms["explain_form"]
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(difference=difference, forms=forms)
                    )
                differences.explain_difference(
                    difference=difference, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("Difference explained: it waits for approval."))
            elif step == "approve" and forms["can_approve"]:
                differences.approve_difference(difference=difference, actor=request.user)
                messages.success(request, _("Difference approved: it can be posted."))
            elif step == "post" and forms["can_post"]:
                fields = {}
                if forms["post_form"] is not None:
                    form = forms["post_form"]
                    if not form.is_valid():
                        return self.render_to_response(
                            self.get_context_data(difference=difference, forms=forms)
                        )
                    fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
                difference = differences.post_difference(
                    difference=difference, actor=request.user, card_fields=fields
                )
                if difference.draft_asset_id:
                    messages.success(
                        request,
                        _("Difference posted: draft card %(tag)s registered as a surplus.")
                        % {"tag": difference.draft_asset.tag},
                    )
                elif difference.disposal_id:
                    messages.success(
                        request,
                        _(
                            "Difference posted: card %(tag)s is in draft disposal case %(case)s; "
                            "it becomes pending disposal when the case is submitted for approval."
                        )
                        % {"tag": difference.line.tag, "case": difference.disposal.number},
                    )
                else:
                    messages.success(request, _("Difference posted."))
            else:
                messages.error(request, _("This step is not open to you for this difference."))
        except ValidationError as error:
            for text in (m for ms in error.message_dict.values() for m in ms):
                messages.error(request, text)
        except DomainError as error:
            messages.error(request, str(error.message))
        return here


class LineListView(CampaignMixin, ForgivingPagesMixin, ListView):
    template_name = "inventory/line_list.html"
    paginate_by = 100
    context_object_name = "lines"

    def get_queryset(self):
        self.campaign = self.get_campaign()
        lines = selectors.lines_visible_to(user=self.request.user, campaign=self.campaign)
        result = self.request.GET.get("result")
        if result in LineResult.values:
            lines = lines.filter(result=result)
        if self.request.GET.get("holder") == "confirmed":
            lines = lines.filter(holder_confirmed_at__isnull=False)
        return lines.select_related(
            "holder_confirmed_by", "handover", "handover__to_department"
        ).order_by("tag", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            campaign=self.campaign,
            results=LineResult.choices,
            querystring_base=(query.urlencode() + "&") if query else "",
        )
        return context


class LinePhotoView(CampaignMixin, View):
    """A surplus or confirmation photo, to those who may read the line: its attachment, or the
    file a line kept in private storage before photos were evidence."""

    def get(self, request, pk, line_id):
        from pathlib import Path

        from django.conf import settings

        campaign = self.get_campaign()
        line = get_object_or_404(
            selectors.lines_visible_to(user=request.user, campaign=campaign), pk=line_id
        )
        # The photo as evidence (`stocktake_line:ID`), served with the attachments' checks;
        # a line whose file came before that keeps it in private storage, read below.
        photo = (
            attachment_selectors.attachments_of(
                user=request.user, kind="stocktake_line", ids=[line.pk]
            )
            .filter(kind="photo", withdrawal__isnull=True)
            .first()
        )
        if photo is not None:
            return serving.file_response(photo)
        if not line.photo:
            raise Http404
        root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        path = (root / line.photo).resolve()
        if root not in path.parents or not path.is_file():
            raise Http404
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=path.name,
            content_type="image/png" if path.suffix == ".png" else "image/jpeg",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
