"""Placeholder: implemented by a helper (see stakeholders/urls.py for the routes)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


mandate_list = _todo


mandate_create = _todo


mandate_edit = _todo
