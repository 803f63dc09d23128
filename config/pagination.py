"""Page numbers on every paginated page of the site, one rule.

A page number past the end shows the last page, one that is no number the first, each saying so
(Django's ListView answers both with a 404 that reads like "not in your scope"). The notes are shown
by base.html above the page's content (`list_notes`).
"""

from django.utils.translation import gettext as _


class ForgivingPagesMixin:
    """For a ListView: a bad `page` parameter is answered with a page and a note, never a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        raw = (self.request.GET.get(self.page_kwarg) or "1").strip() or "1"
        self.list_notes = []
        try:
            number = paginator.num_pages if raw == "last" else int(raw)
        except ValueError:
            number = 1
            self.list_notes.append(
                _("“%(page)s” is not a page number: showing the first page.") % {"page": raw}
            )
        page = paginator.get_page(number)
        if number != page.number and not self.list_notes:
            self.list_notes.append(
                _("There is no page %(page)s: showing the last page, %(last)s.")
                % {"page": number, "last": page.number}
            )
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("list_notes", list(getattr(self, "list_notes", [])))
        return context
