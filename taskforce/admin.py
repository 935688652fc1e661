"""The platform admin: structure only (task forces, agencies, memberships, users), for platform
staff. No content model is ever registered here. Agencies and memberships sit behind row-level
security, so the admin shows them for one chosen task force at a time (see PlatformAdminSite).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from taskforce.models import Agency, Membership, TaskForce, User


@admin.register(TaskForce)
class TaskForceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "jurisdiction", "time_zone")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "side", "task_force", "mou_expires_on")
    list_filter = ("side", "task_force")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "task_force", "agency", "role", "is_active")
    list_filter = ("role", "is_active", "task_force")
    search_fields = ("user__email",)
    raw_id_fields = ("user", "agency")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ("is_active", "is_staff")
    readonly_fields = ("last_login", "date_joined")
