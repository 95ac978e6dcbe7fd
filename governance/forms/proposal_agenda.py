"""Which strategic body decides a stalled indicator proposal (governance/views/proposal_agenda.py):
asked only when the chain has several; with one, the button alone sends it there."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenportaal.forms import PortalForm


class DecidingBodyForm(PortalForm):
    body = forms.TypedChoiceField(
        label=_("The body that decides"),
        coerce=int,
        error_messages={
            "required": _("Choose the body that decides."),
            "invalid_choice": _("Choose one of the chain's strategic bodies."),
        },
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(body.pk, body.name) for body in bodies]
