"""Limit/offset pages: ``{count, next, previous, results}``, 50 by default, at most 1000.

A page costs one page whatever its offset (``core.pagination.page_of``): the page's ids come
first, from an index, and the rows with their derived figures are loaded for those ids only. A
view whose count is expensive names the data it counts (``count_topic``, see ``core.versions``)
so that paging through it does not recount between writes of that data.
"""

from django.conf import settings
from rest_framework import pagination

from core.pagination import page_of


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = settings.REST_FRAMEWORK["PAGE_SIZE"]
    max_limit = settings.API_PAGE_SIZE_MAX

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        topic = getattr(view, "count_topic", None)
        site = getattr(view, "site", None) if topic else None
        page = page_of(
            queryset,
            offset=self.offset,
            limit=self.limit,
            versioned=(site.pk, topic) if site is not None else None,
        )
        self.count = page.count
        return page.rows
