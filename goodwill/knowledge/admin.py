"""Categories in the Django admin; articles are edited in the workspace (/knowledge/) so every
change is a revision and reaches the search index."""

from django.contrib import admin
from django.http import HttpRequest

from goodwill.knowledge.models import Category, NeedModel


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(NeedModel)
class NeedModelAdmin(admin.ModelAdmin):
    list_display = ["version", "created_at", "examples", "needs", "held_out", "accuracy"]
    exclude = ["blob"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
