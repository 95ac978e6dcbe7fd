"""Django admin for platform administrators (mounted at /beheer/)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from .models import Chain, DigestRun, Invitation, Mandate, Membership, Organisation, Partnership, Person, Unit


class UnitInline(admin.TabularInline):
    model = Unit
    fk_name = "organisation"
    extra = 0
    fields = ["name", "code", "parent"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "website"]
    search_fields = ["name", "short_name"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "parent", "code"]
    list_filter = ["organisation"]
    search_fields = ["name", "code"]
    list_select_related = ["organisation", "parent"]


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "reporting_frequency"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnershipInline]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "chain", "status", "role", "joined_on", "left_on"]
    list_filter = ["chain", "status", "role"]
    list_select_related = ["organisation", "chain"]


@admin.register(Person)
class PersonAdmin(UserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "organisation", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_system", "organisation"]
    search_fields = ["full_name", "email"]
    readonly_fields = ["is_system"]  # set when an API connection is made, never by hand
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "organisation", "mail_preference"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_system", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "chain", "role"]
    list_filter = ["chain", "role"]
    list_select_related = ["person", "chain"]


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["person", "partnership", "scope", "valid_from", "valid_until"]
    list_filter = ["scope", "partnership__chain"]
    list_select_related = ["person", "partnership__organisation", "partnership__chain"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "chain", "role", "status", "expires_at"]
    list_filter = ["status", "chain"]
    readonly_fields = ["token_hash"]


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    """The daily digest e-mails: read only, to see failed ones (the digest task retries them)."""

    list_display = ["person", "day", "status", "attempts", "notification_count", "error"]
    list_filter = ["status", "day"]
    list_select_related = ["person"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# REST framework's own tokens are not read by the API any more (stakeholders/authentication.py reads
# ApiToken, hashed, made on the API connection pages): one made here would never work.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)

# The stakeholder register's admin lives beside it.
from . import admin_register  # noqa: E402, F401
