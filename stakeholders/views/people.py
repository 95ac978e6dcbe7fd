"""Placeholder: implemented by a helper (see stakeholders/urls.py for the routes)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


membership_list = _todo


membership_edit = _todo


membership_revoke = _todo
