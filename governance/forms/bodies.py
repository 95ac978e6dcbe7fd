"""Forms for the chain's bodies and their seats (views/bodies.py).

The lists offer only what belongs to this chain: its other bodies to escalate to, its current
partners, and people with a role here who work for one of them (``possible_members``). Whatever
is posted instead — another chain's partner, someone of another organisation, a second seat for
the same person — gets a message at its field and nothing is saved: the model's ``clean()`` and
constraints say it, as they do for the admin.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import Body, BodyMember
from governance.models.bodies import NOT_A_POSSIBLE_MEMBER, possible_members
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.models import Chain, Partnership, Person


class _ChainConstraints:
    """Check the model's constraints although the chain (or body) is set by the view, not a field,
    so Django would skip them, and put each message at the field it is about."""

    set_by_view: str = ""
    constraint_fields: dict[str, str] = {}

    def validate_constraints(self) -> None:
        exclude = self._get_validation_exclusions() - {self.set_by_view}
        for constraint in self.instance._meta.constraints:
            try:
                constraint.validate(type(self.instance), self.instance, exclude=exclude)
            except ValidationError as error:
                field = self.constraint_fields.get(constraint.name)
                self.add_error(field if field in self.fields else None, error)


class BodyForm(_ChainConstraints, VersionedFormMixin, PortalModelForm):
    """Name, level, purpose, decision rule, escalation, meeting length and whether it is active."""

    set_by_view = "chain"
    constraint_fields = {
        "body_name_unique_per_chain": "name",
        "body_does_not_escalate_to_itself": "escalates_to",
        "body_response_time_positive": "response_days",
    }

    class Meta:
        model = Body
        fields = [
            "name",
            "level",
            "purpose",
            "decision_rule",
            "majority_percent",
            "quorum_percent",
            "escalates_to",
            "response_days",
            "meeting_minutes",
            "is_active",
        ]
        widgets = {
            "level": forms.RadioSelect,
            "decision_rule": forms.RadioSelect,
            "purpose": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        escalates_to = self.fields["escalates_to"]
        others = Body.objects.filter(chain=chain).exclude(pk=self.instance.pk)
        # Active bodies, and the one it escalates to now even if that was deactivated since.
        escalates_to.queryset = others.filter(Q(is_active=True) | Q(pk=self.instance.escalates_to_id))
        escalates_to.label_from_instance = lambda body: f"{body.name} ({body.get_level_display()})"
        escalates_to.error_messages["invalid_choice"] = _("Choose an active body of this chain.")
        escalates_to.empty_label = _("None: this body escalates to no other")
        escalates_to.help_text = _(
            "Where a matter goes that this body cannot settle: a body of this chain on a higher level "
            "(operational → tactical → strategic)."
        )
        self.fields["level"].choices = [c for c in self.fields["level"].choices if c[0]]
        self.fields["decision_rule"].choices = [c for c in self.fields["decision_rule"].choices if c[0]]
        self.fields["majority_percent"].help_text = _(
            "Only with a qualified majority: the share of the votes cast that must be in favour (51–100)."
        )
        self.fields["quorum_percent"].help_text = _(
            "Only with a qualified majority: the share of the represented partners that must be present or "
            "represented to decide (1–100)."
        )
        self.fields["meeting_minutes"].help_text = _("A new meeting of this body lasts this long (15–720 minutes).")
        self.fields["is_active"].help_text = _(
            "An inactive body keeps its meetings and decisions but plans no new ones."
        )
        if self.instance.pk is None:
            del self.fields["is_active"]  # a new body is active


class MemberChoiceField(forms.ModelChoiceField):
    """A person, named with the organisation they work for."""

    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} ({person.organisation.name})" if person.organisation_id else person.full_name


class BodyMemberForm(_ChainConstraints, VersionedFormMixin, PortalModelForm):
    """A seat: who, for which partner, in which position, and their alternate."""

    set_by_view = "body"
    constraint_fields = {
        "body_member_once_per_body": "person",
        "body_member_alternate_is_someone_else": "alternate",
    }

    class Meta:
        model = BodyMember
        fields = ["person", "partnership", "position", "alternate", "ended_on"]
        field_classes = {"person": MemberChoiceField, "alternate": MemberChoiceField}
        widgets = {"position": forms.RadioSelect, "ended_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body
        chain = body.chain
        candidates = possible_members(chain)
        outside = NOT_A_POSSIBLE_MEMBER
        for name in ("person", "alternate"):
            field = self.fields[name]
            field.queryset = candidates
            field.error_messages["invalid_choice"] = outside
        self.fields["person"].help_text = _(
            "Someone with a role in this chain who works for one of its partners; a secretary or advisor may "
            "also work for none (the programme office)."
        )
        self.fields["alternate"].empty_label = _("No alternate")
        self.fields["alternate"].help_text = _(
            "Stands in when the member is absent (plaatsvervanger); someone of the same organisation."
        )
        partnership = self.fields["partnership"]
        partnership.queryset = (
            Partnership.objects.filter(chain=chain)
            .filter(Q(pk__in=Partnership.objects.filter(chain=chain).current()) | Q(pk=self.instance.partnership_id))
            .select_related("organisation")
            .order_by("organisation__name")
        )
        partnership.label_from_instance = lambda p: f"{p.organisation.name} ({p.get_status_display()})"
        partnership.error_messages["invalid_choice"] = _("Choose a current partner of this chain.")
        partnership.empty_label = _("No partner (secretary or advisor)")
        partnership.help_text = _(
            "The partner this member speaks for; a chair, vice-chair or member must represent one. "
            "Secretaries and advisors may represent none."
        )
        if self.instance.pk is None:
            del self.fields["ended_on"]  # a new seat starts open; its end is set when it comes
        position = self.fields["position"]
        position.choices = [c for c in position.choices if c[0]]
        position.help_text = _(
            "Chair, vice-chair and members speak for their partner; secretaries and advisors do not."
        )

    def _current_row(self) -> BodyMember | None:
        # Without the model's ordering: it joins the (nullable) partner, and PostgreSQL refuses
        # the concurrency check's FOR UPDATE on the nullable side of an outer join.
        queryset = BodyMember.objects.filter(pk=self.instance.pk).order_by("pk")
        if transaction.get_connection().in_atomic_block:
            queryset = queryset.select_for_update()
        return queryset.first()

    def clean(self):
        cleaned_data = super().clean()
        seat = self.instance
        if seat.pk is not None and seat.in_approved_minutes():
            # self.instance still holds the saved values here (the form's values come after clean()).
            locked = _(
                "This seat is in the approved minutes of a meeting, so it keeps its person and partner. "
                "To hand it over, end this seat and add a new seat for the successor."
            )
            for name, saved in (("person", seat.person_id), ("partnership", seat.partnership_id)):
                chosen = cleaned_data.get(name)
                if name in cleaned_data and (chosen.pk if chosen else None) != saved:
                    self.add_error(name, locked)
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        person = self.cleaned_data.get("person")
        # Also a seat that ends later counts until then: one seat per person and body at a time
        # (the database holds one open seat; this says it at the field, after the model's checks).
        if (
            person
            and "person" not in self.errors
            and BodyMember.objects.filter(body=self.instance.body, person=person).exclude(pk=self.instance.pk).exists()
        ):
            self.add_error("person", _("This person already has a seat in this body."))


class BodyMemberRemoveForm(PortalForm):
    """Confirms removing a seat — or, for a seat that approved minutes name, ending it today (the
    view decides which by ``BodyMember.in_approved_minutes``: those minutes keep it)."""

    def __init__(self, *args, seat: BodyMember, **kwargs):
        super().__init__(*args, **kwargs)
        self.seat = seat


class BodyDeactivateForm(PortalForm):
    """Confirms deactivating a body (nothing to fill in)."""
