from django.apps import AppConfig


class DataConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.data"
    verbose_name = "Data in and out"

    def ready(self) -> None:
        from goodwill.conversations.panels import register_customer_panel, register_panel
        from goodwill.data.panels import customer_data_panel, customer_page_data_panel

        register_panel(customer_data_panel, order=900)
        register_customer_panel(customer_page_data_panel, order=900)
