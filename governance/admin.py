"""Django admin for platform administrators. Approved minutes stay locked here too: the models'
clean() refuses the change with a message (governance/models/meetings.py)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Body,
    BodyMember,
    Decision,
    DecisionPosition,
    Meeting,
    MeetingStatus,
)


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    fk_name = "body"
    extra = 0
    autocomplete_fields = ["person", "alternate"]

    def get_queryset(self, request):
        # Every seat, also those that ended (BodyMember.objects holds only the current ones).
        return BodyMember.all_seats.all()


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "chain", "level", "decision_rule", "is_active"]
    list_filter = ["level", "chain"]
    search_fields = ["name"]
    inlines = [BodyMemberInline]


class LockedWithMinutes:
    """An approved meeting's items and attendance are shown read-only: the change form offers
    nothing to change (the models would refuse it anyway, PartOfMinutes); reopening is the
    chair's step on the meeting page, with a reason."""

    def _locked(self, obj) -> bool:
        return obj is not None and obj.minutes_locked

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class AgendaItemInline(LockedWithMinutes, admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "presenter", "duration_minutes", "status", "notes"]
    raw_id_fields = ["presenter"]


class AttendanceInline(LockedWithMinutes, admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["status"]  # the admin passes its own list; this form adds the check

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if status == MeetingStatus.MINUTES_APPROVED and self.instance.status != MeetingStatus.MINUTES_APPROVED:
            raise ValidationError(_("The chair approves the minutes on the meeting's page, not here."))
        return status


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["body", "starts_at", "status"]
    list_filter = ["status", "body__chain"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["series", "host"]
    inlines = [AgendaItemInline, AttendanceInline]

    form = MeetingAdminForm

    def get_readonly_fields(self, request, obj=None):
        # Approved minutes leave the meeting's status to the chair's reopening (with a reason).
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "status"] if obj is not None and obj.minutes_locked else fields

    def save_formset(self, request, form, formset, change):
        # The inlines of approved minutes are read-only (LockedWithMinutes); a crafted post of
        # their rows changes nothing rather than reaching the models' refusal.
        if form.instance.minutes_locked and formset.model in (AgendaItem, Attendance):
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)


class PositionInline(admin.TabularInline):
    model = DecisionPosition
    extra = 0
    raw_id_fields = ["partnership", "recorded_by"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "status", "closes_on", "review_on"]
    list_filter = ["status", "way", "body__chain"]
    search_fields = ["title"]
    raw_id_fields = ["meeting", "proposed_by", "indicator", "indicator_version"]
    inlines = [PositionInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["description", "body", "owner", "due_on", "status"]
    list_filter = ["status", "body__chain"]
    raw_id_fields = ["meeting", "agenda_item", "decision", "owner"]


# The admin of agreements, their versions and signatures, and of bottlenecks with their escalations.
from . import admin_agreements, admin_bottlenecks  # noqa: E402, F401
