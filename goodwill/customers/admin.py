from django.contrib import admin

from goodwill.customers.models import Customer, Identity, Organisation


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "language", "last_contact_at"]
    search_fields = ["name", "identities__value"]
    raw_id_fields = ["organisation"]
    inlines = [IdentityInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "domains", "value"]
    search_fields = ["name", "domains"]
