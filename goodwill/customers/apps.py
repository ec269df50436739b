from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "goodwill.customers"
    label = "customers"
