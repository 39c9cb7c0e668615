"""Limit/offset pages: ``{count, next, previous, results}``, 50 by default, at most 1000."""

from django.conf import settings
from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = settings.REST_FRAMEWORK["PAGE_SIZE"]
    max_limit = settings.API_PAGE_SIZE_MAX
