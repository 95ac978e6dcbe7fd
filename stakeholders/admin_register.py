"""The stakeholder register in the admin: stakeholders with their contact log. Never deleted (made
inactive on the register's pages instead), so the admin deletes neither a stakeholder nor a contact."""

from django.contrib import admin

from .models.register import Stakeholder, StakeholderContact


class ContactInline(admin.TabularInline):
    model = StakeholderContact
    extra = 0
    fields = ["on", "kind", "summary", "by"]
    readonly_fields = ["by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "chain",
        "kind",
        "influence",
        "interest",
        "current_engagement",
        "desired_engagement",
        "is_active",
    ]
    list_filter = ["chain", "kind", "is_active"]
    list_select_related = ["chain"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]
    inlines = [ContactInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
