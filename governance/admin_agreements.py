"""Django admin for agreements (imported by governance/admin.py). Signatures are evidence: the
admin shows them read-only and offers neither adding, changing nor deleting one — the model and a
database trigger refuse it anyway (models/agreements.py). A version with signatures is read-only
too, as every version: its content is fixed by its fingerprint, and a change is a new version
(made on the agreement's page); the model's save() refuses a change to a signed one."""

from django.contrib import admin

from .models import Agreement, AgreementParty, AgreementVersion, Signature


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    raw_id_fields = ["partnership"]


class VersionInline(admin.StackedInline):
    model = AgreementVersion
    extra = 0
    fields = ["number", "text", "attachment", "fingerprint", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a version is made on the agreement's page (its fingerprint from the stored bytes)

    def has_change_permission(self, request, obj=None) -> bool:
        # A version's content is fixed by its fingerprint; a change is a new version, on the page.
        return False


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    can_delete = False
    fields = ["version", "organisation", "person", "mandate", "fingerprint", "signed_at", "ip_address", "user_agent"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "chain", "kind", "status", "valid_from", "valid_until"]
    list_filter = ["status", "kind", "chain"]
    search_fields = ["title"]
    readonly_fields = ["status", "in_force_since", "ended_on", "end_reason"]
    inlines = [PartyInline, VersionInline, SignatureInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # An agreement with signatures stays: they are evidence (and PROTECT it in the database).
        if obj is not None and Signature.objects.filter(agreement=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["agreement", "version", "organisation", "person", "signed_at"]
    list_filter = ["agreement__chain"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Signature._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
