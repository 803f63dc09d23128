"""Web pages of the labels app: the scan landing page `/a/{TAG}`, the print queue, batch pages,
the QR preview on the card page and its print button."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from assets import permissions, tags
from assets import selectors as asset_selectors
from assets.errors import DomainError
from assets.models import Asset
from config.pagination import ForgivingPagesMixin
from labels import qr, selectors, services, throttle
from labels.forms import CardPrintForm, PrintForm, QueueFilterForm, VoidForm
from labels.models import LabelTemplate, selection_key

PAGE_SIZE = 50


def _parse_serial(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 9:
        return int(raw)
    return None


def _querystring_base(filters: dict) -> str:
    """The queue's filters as a query string for the pagination links (ends in & or is empty)."""
    kept = {key: filters[key] for key in ("filter", "q", "owner_department") if filters.get(key)}
    return urlencode(kept) + "&" if kept else ""


def _add_errors(form, error: ValidationError) -> None:
    """A service's field errors beside the form's own fields; the rest at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for message in errors:
                text = " ".join(str(m) for m in message.messages)
                form.add_error(field if field in form.fields else None, text)
    else:
        for message in error.messages:
            form.add_error(None, str(message))


def _error_messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    if isinstance(error, DomainError):
        return [str(error.message)]
    return [str(error)]


@never_cache
@require_GET
def scan(request, tag: str):
    """What a phone camera opens from a label: `{SITE_URL}/a/{TAG}?l={SERIAL}`.

    Signed-in users who may read the card go to it (or, for an old label, see that it was
    superseded first). Everyone else sees the tag and what `YIKA_PUBLIC_LABEL_FIELDS` allows
    (by default the owning unit and whom to tell, not the name), at most
    `YIKA_PUBLIC_SCAN_RATE` times per address; an unknown or retired tag gets the same
    "not found" page whatever the reason.
    """
    try:
        tag = tags.validate_tag(tag)
    except tags.TagError:
        return _scan_not_found(request)
    serial = _parse_serial(request.GET.get("l"))
    user = request.user
    if user.is_authenticated and permissions.roles_of(user):
        asset = permissions.visible_assets(user).filter(tag=tag).first()
        if asset is not None:
            state = selectors.label_state(asset=asset, serial=serial)
            if state in ("active", "none"):
                return redirect("assets:asset-detail", tag=asset.tag)
            return render(
                request,
                "labels/scan_superseded.html",
                {
                    "asset": asset,
                    "serial": serial,
                    "state": state,
                    "active": selectors.active_label(asset=asset),
                },
            )
    wait = throttle.public_scan_wait(request)
    if wait:
        response = render(request, "labels/scan_throttled.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    asset = (
        Asset.objects.filter(tag=tag)
        .exclude(status=Asset.Status.RETIRED)
        .select_related("owner_department")
        .first()
    )
    if asset is None:
        return _scan_not_found(request)
    state = selectors.label_state(asset=asset, serial=serial)
    # What the deployment lets the public see (YIKA_PUBLIC_LABEL_FIELDS); a signed-in user of
    # another unit always learns whose card it is and whom to ask.
    shown = set(settings.YIKA_PUBLIC_LABEL_FIELDS)
    if user.is_authenticated:
        shown |= {"owner", "contact"}
    contact = asset.owner_department.contact or settings.YIKA_REPORT_CONTACT
    return render(
        request,
        "labels/scan_public.html",
        {
            "public_tag": asset.tag,
            "public_name": asset.name if "name" in shown else "",
            "public_owner": asset.owner_department.name if "owner" in shown else "",
            "contact": contact if "contact" in shown else "",
            # A voided label without a reprint was not replaced: say it was voided.
            "old_label": (
                "voided"
                if state == "voided" and selectors.active_label(asset=asset) is None
                else "replaced"
                if state in ("superseded", "voided")
                else ""
            ),
            # A signed-in user of another unit is told whose card it is, not to sign in.
            "outsider": user.is_authenticated,
            "login_url": f"{reverse('login')}?next={reverse('labels:scan', args=[asset.tag])}",
        },
    )


def _scan_not_found(request):
    return render(request, "labels/scan_not_found.html", status=404)


def _card_for_change(request, tag: str) -> Asset:
    """The card named in the URL, for a change: 404 out of view, 403 for a read-only role,
    404 again when the card is visible but outside the user's department scope for changes."""
    asset = permissions.visible_assets(request.user).filter(tag=tags.normalise(tag)).first()
    if asset is None:
        raise Http404
    if not permissions.can_change_assets(request.user):
        raise PermissionDenied
    if not permissions.may_change_card(request.user, asset):
        raise Http404
    return asset


class QrPreviewView(LoginRequiredMixin, View):
    """The card's QR code as SVG (what its active label carries), for the card page."""

    def get(self, request, tag):
        asset = permissions.visible_assets(request.user).filter(tag=tags.normalise(tag)).first()
        if asset is None:
            raise Http404
        label = selectors.active_label(asset=asset)
        payload = qr.encode(
            site_url=settings.SITE_URL, tag=asset.tag, label_serial=label.serial if label else None
        )
        buffer = io.BytesIO()
        segno.make_qr(payload, error="m", boost_error=False).save(
            buffer, kind="svg", scale=4, border=4, xmldecl=False, svgns=True
        )
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=60"
        return response


class PrintQueueView(LoginRequiredMixin, View):
    """Cards waiting for a label, with the filters, and the form that prints a selection.

    A refused print answers the same page (400) with the reasons beside the form, the posted
    choice and every ticked card still ticked, so the clerk corrects it instead of starting over.
    """

    template_name = "labels/queue.html"

    def get(self, request):
        if not permissions.roles_of(request.user):
            raise Http404
        filter_form = QueueFilterForm(request.GET or None)
        filters = filter_form.cleaned_data if filter_form.is_valid() else {}
        print_form = PrintForm(
            initial={
                "filter": filters.get("filter", ""),
                "q": filters.get("q", ""),
                "owner_department": filters.get("owner_department", ""),
                "page": request.GET.get("page", ""),
                "template": "a4-70x40",
            }
        )
        return self._render(
            request, filter_form=filter_form, filters=filters, print_form=print_form
        )

    def post(self, request):
        if not permissions.can_change_assets(request.user):
            raise PermissionDenied
        form = PrintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assets, selection = self._selection(request.user, data)
                to_void = self._labels_to_void(assets, data)
                if to_void is not None:
                    return self._ask_before_voiding(request, form, to_void)
                batch = services.print_labels(
                    actor=request.user,
                    assets=assets,
                    template=data["template"],
                    selection=selection,
                )
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                return redirect("labels:batch-detail", pk=batch.pk)
        # The list behind the form is the one the clerk was looking at when printing.
        filter_form = QueueFilterForm(
            {key: request.POST.get(key, "") for key in ("filter", "q", "owner_department")}
        )
        filters = filter_form.cleaned_data if filter_form.is_valid() else {}
        return self._render(
            request,
            filter_form=filter_form,
            filters=filters,
            print_form=form,
            ticked=set(request.POST.getlist("tags")),
            page_number=request.POST.get("page"),
            status=400,
        )

    @staticmethod
    def _labels_to_void(assets, data) -> list[tuple[str, int]] | None:
        """The active labels this print would supersede, unless the clerk agreed to exactly
        these (the card page asks the same before a reprint); None when there is nothing to ask."""
        if data["template"].kind == LabelTemplate.Kind.COMPONENT_SHEET:
            return None
        replaced = selectors.labels_replaced_by_printing(assets)
        agreed = ",".join(f"{tag}:{serial}" for tag, serial in replaced)
        if not replaced or data.get("confirm_void") == agreed:
            return None
        return replaced

    def _ask_before_voiding(self, request, form, to_void):
        data = form.data.copy()
        data["confirm_void"] = ",".join(f"{tag}:{serial}" for tag, serial in to_void)
        filter_form = QueueFilterForm(
            {key: request.POST.get(key, "") for key in ("filter", "q", "owner_department")}
        )
        filters = filter_form.cleaned_data if filter_form.is_valid() else {}
        return self._render(
            request,
            filter_form=filter_form,
            filters=filters,
            print_form=PrintForm(data),
            ticked=set(request.POST.getlist("tags")),
            page_number=request.POST.get("page"),
            to_void=to_void,
        )

    def _render(
        self,
        request,
        *,
        filter_form,
        filters,
        print_form,
        ticked=(),
        page_number=None,
        status=200,
        to_void=(),
    ):
        can_print = permissions.can_change_assets(request.user)
        queryset = selectors.print_queue(
            user=request.user, filters=filters, printable_only=can_print
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(page_number or request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "filter_form": filter_form,
                "filtered": any(filters.get(key) for key in ("filter", "q", "owner_department")),
                "querystring_base": _querystring_base(filters),
                "print_form": print_form,
                "ticked": ticked,
                "to_void": to_void,
                "page_obj": page,
                # A host the reader may not open: "outside your scope", not its tag.
                "assets": asset_selectors.mark_hidden_hosts(page.object_list, user=request.user),
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "can_print": can_print,
                "batch_count": selectors.batches_visible_to(user=request.user).count(),
                "recent_batches": selectors.batches_visible_to(user=request.user)[:5],
            },
            status=status,
        )

    def _selection(self, user, data) -> tuple[list[Asset], str]:
        mode = data["mode"]
        if mode == PrintForm.MODE_HOST:
            try:
                host = selectors.resolve_tags(user=user, raw_tags=[data.get("host") or ""])[0]
            except ValidationError as error:
                raise ValidationError({"host": error.message_dict["tags"]}) from error
            if data["template"].kind == LabelTemplate.Kind.COMPONENT_SHEET:
                return [host], selection_key("sheet", host.tag)
            subtree = [
                asset
                for asset in selectors.host_and_subtree(user=user, host=host)
                if asset.label_mode in services.PRINTABLE_LABEL_MODES
            ]
            return subtree, selection_key("host", host.tag)
        if mode == PrintForm.MODE_FILTER:
            filters = {key: data.get(key) or "" for key in ("filter", "q", "owner_department")}
            assets = list(selectors.print_queue(user=user, filters=filters))
            return assets, selection_key(
                "filter", filters["filter"], filters["q"], filters["owner_department"]
            )
        assets = selectors.resolve_tags(user=user, raw_tags=data.get("tags") or [])
        return assets, selection_key("chosen", len(assets))


class CardPrintView(LoginRequiredMixin, View):
    """The print button on the card page: one label (or the host's component sheet)."""

    def post(self, request, tag):
        asset = _card_for_change(request, tag)
        form = CardPrintForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a label template."))
            return redirect("assets:asset-detail", tag=asset.tag)
        template = form.cleaned_data["template"]
        try:
            batch = services.print_labels(
                actor=request.user,
                assets=[asset],
                template=template,
                selection=selection_key("card", asset.tag),
            )
        except (ValidationError, DomainError) as error:
            for message in _error_messages(error):
                messages.error(request, message)
            return redirect("assets:asset-detail", tag=asset.tag)
        return redirect("labels:batch-detail", pk=batch.pk)


class CardVoidView(LoginRequiredMixin, View):
    """Void the card's active label without printing a new one."""

    def post(self, request, tag):
        asset = _card_for_change(request, tag)
        form = VoidForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError({"reason": _("Say why the label is voided.")})
            label = services.void_label(
                actor=request.user, asset=asset, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, DomainError) as error:
            for message in _error_messages(error):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Label %(serial)s of %(tag)s is void.")
                % {"serial": label.serial, "tag": asset.tag},
            )
        return redirect("assets:asset-detail", tag=asset.tag)


class BatchListView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
    template_name = "labels/batch_list.html"
    context_object_name = "batches"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.batches_visible_to(user=self.request.user)


class BatchDetailView(LoginRequiredMixin, DetailView):
    template_name = "labels/batch_detail.html"
    context_object_name = "batch"

    def get_queryset(self):
        return selectors.batches_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_retry"] = permissions.can_change_assets(self.request.user)
        context["status_url"] = reverse("label-batch-detail", kwargs={"pk": self.object.pk})
        context["pdf_url"] = reverse("label-batch-pdf", kwargs={"pk": self.object.pk})
        return context


class BatchRetryView(LoginRequiredMixin, View):
    def post(self, request, pk):
        batch = selectors.batches_visible_to(user=request.user).filter(pk=pk).first()
        if batch is None:
            raise Http404
        if not permissions.can_change_assets(request.user):
            raise PermissionDenied
        # Answered here as a missing batch; the service asks `may_retry_batch` again.
        if not permissions.may_retry_batch(request.user, batch):
            raise Http404
        try:
            services.retry_batch(actor=request.user, batch=batch)
        except (ValidationError, DomainError) as error:
            for message in _error_messages(error):
                messages.error(request, message)
        return redirect("labels:batch-detail", pk=batch.pk)
