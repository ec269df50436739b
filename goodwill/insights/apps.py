from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goodwill.insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from goodwill.insights.dashboards import internal, mood, service, volume, workload
        from goodwill.insights.registry import Dashboard, register_dashboard

        register_dashboard(
            Dashboard(
                slug="volume",
                title="Volume and spikes",
                order=10,
                build=volume.build,
                question="How much comes in, through which channel and for which need — and which need suddenly grows?",
            )
        )
        register_dashboard(
            Dashboard(
                slug="response-times",
                title="Response and resolution times",
                order=20,
                build=service.build,
                question="How fast do we answer and resolve, and how often within the SLA?",
            )
        )
        register_dashboard(
            Dashboard(
                slug="mood",
                title="Mood of inbound mail",
                order=40,
                build=mood.build,
                question="How do customers feel when they write to us, and is it getting better or worse?",
            )
        )
        register_dashboard(
            Dashboard(
                slug="internal-external",
                title="Internal and external service",
                order=70,
                build=internal.build,
                question="Do colleagues who ask us for help get the same service as customers?",
            )
        )
        register_dashboard(
            Dashboard(
                slug="workload",
                title="Agent workload",
                order=80,
                build=workload.build,
                question="Who holds how much open work, and who replied to and solved how much?",
            )
        )
