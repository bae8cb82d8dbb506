from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"

    # No ready() import of api.schema: DRF imports it (DEFAULT_SCHEMA_CLASS) when a schema is generated, which also
    # registers the token scheme, and every other process (workers, import_participants) starts ~0,3 s faster.
