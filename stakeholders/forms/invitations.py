"""Inviting someone into a chain, and the invitee's side: choosing a password."""

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ketenportaal.forms import PortalForm
from stakeholders.models import Chain, Invitation, Membership, Organisation, Person, Role
from stakeholders.models.people import validate_partner_role


class InvitationForm(PortalForm):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    # The least powerful role unless the programme manager chooses otherwise.
    role = forms.ChoiceField(label=_("Role in this chain"), choices=Role.choices, initial=Role.VIEWER)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required for partner leads and contributors: the partner they act for."),
    )

    def __init__(self, *args, chain: Chain, **kwargs):
        self.chain = chain
        super().__init__(*args, **kwargs)
        # Only partners of this chain: a forged id of another organisation is "not a valid choice".
        self.fields["organisation"].queryset = Organisation.objects.filter(partnerships__chain=chain).distinct()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Person.objects.system_accounts().filter(email__iexact=email).exists():
            raise ValidationError(_("This address belongs to an API connection, not to a person."))
        if Membership.objects.filter(chain=self.chain, person__email__iexact=email).exists():
            raise ValidationError(_("This person already has a role in this chain."))
        if Invitation.objects.pending().filter(chain=self.chain, email__iexact=email).exists():
            raise ValidationError(
                _("This address already has an invitation to this chain that is waiting for an answer.")
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        role, organisation = cleaned.get("role"), cleaned.get("organisation")
        if role:
            try:
                validate_partner_role(self.chain, role, organisation, field="organisation")
            except ValidationError as error:
                self.add_error(None, error)
        email = cleaned.get("email")
        if email and organisation and role in Role.partner_roles():
            # A person belongs to one organisation: an existing account cannot act for another one.
            person = Person.objects.filter(email__iexact=email).select_related("organisation").first()
            if person is not None and person.organisation_id not in (None, organisation.pk):
                self.add_error(
                    "organisation",
                    _("%(email)s works for %(org)s, not for this organisation.")
                    % {"email": email, "org": person.organisation},
                )
        return cleaned


class InvitationAcceptForm(SetPasswordMixin, PortalForm):
    """A new account: the invitee gives their name and chooses a password."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Choose a password"), label2=_("Repeat the password")
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        self.invitation = invitation
        kwargs.setdefault("initial", {"full_name": invitation.full_name})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        self.validate_passwords()
        # Unsaved person, so the similarity validator can compare with name and address.
        person = Person(email=self.invitation.email, full_name=cleaned.get("full_name", ""))
        self.validate_password_for_user(person)
        return cleaned

    def build_person(self) -> Person:
        person = Person(
            email=self.invitation.email.lower(),
            full_name=self.cleaned_data["full_name"],
            organisation=self.invitation.organisation,
        )
        person.set_password(self.cleaned_data["password1"])
        return person
