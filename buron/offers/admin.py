from django.contrib import admin

from .models import Price


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "network", "site", "resource_kind", "unit", "amount", "position"]
    list_filter = ["network", "resource_kind", "unit"]
