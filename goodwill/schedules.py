"""What the worker runs on a clock: every periodic job, in one place (see core/periodic.py).

Name → (dotted path of `def job(now: datetime) -> str | None`, interval in seconds). Every
`goodwill worker` checks each beat which jobs are due; one worker of the fleet claims a due
job (a conditional UPDATE on `core.PeriodicJob`) and runs it as a task, so a job runs once per
interval however many workers there are. Jobs must be idempotent: a run may repeat after a
crash, and `goodwill run-periodic NAME` runs one on demand. The returned string (a summary,
"3 reminders sent") is logged and kept on the job's row.

Example:

    "sla.escalate": ("goodwill.expectations.jobs.escalate_breaches", 60),
"""

from __future__ import annotations

PERIODIC: dict[str, tuple[str, int]] = {
    "data.retention": ("goodwill.data.retention.run", 24 * 60 * 60),
    "data.erased_duplicates": ("goodwill.data.tombstones.forget_erased_duplicates", 5 * 60),
    "voice.send_surveys": ("goodwill.voice.services.send_due_surveys", 60),
    "voice.interviews": ("goodwill.voice.interviews.send_interviews", 60),
    # Voice: periodic NPS (per team policy) and CES after solving, one cooldown with the two-axis survey.
    "voice.pulses": ("goodwill.voice.pulses.run", 300),
    # Voice: each answer's first return (new conversation or posted return), read by the grid.
    "voice.returns": ("goodwill.voice.returns.refresh_returns", 60),
    "callbacks.remind": ("goodwill.callbacks.services.remind_due", 60),
    "webform.prune_tokens": ("goodwill.channels.webform.services.prune_used_tokens", 3600),
    # Promise ledger: remind owners before due, flag unkept promises at due.
    "promises.sweep": ("goodwill.promises.jobs.sweep", 60),
    # Customer memory: match keys for identities added since the last run (duplicate suggestions).
    "memory.match-keys": ("goodwill.memory.duplicates.refresh_changed_keys", 300),
    # SLA (expectations): warnings before breach and escalation at breach; waiting-time figures.
    "sla.sweep": ("goodwill.expectations.jobs.sweep", 60),
    "expectations.figures": ("goodwill.expectations.figures.refresh_figures", 600),
    # Automation (issue 16): time rules, and conversations of agents away too long back to their team.
    "automation.time_rules": ("goodwill.automation.jobs.time_rules", 300),
    "automation.away_returns": ("goodwill.automation.jobs.away_returns", 300),
    # Knowledge base: retrain the need classifier when the labelled conversations changed.
    "knowledge.need_model": ("goodwill.knowledge.need.retrain_need_model", 6 * 3600),
    # Data exports built by the worker: delete expired ZIPs, enqueue again builds that were lost.
    "data.exports": ("goodwill.data.export_files.sweep", 600),
    # Silent-churn watch: rebuild the list of customers gone quiet after a bad experience.
    "churn.rebuild": ("goodwill.churn.jobs.rebuild", 24 * 3600),
    # Service recovery: set the result of cases past their follow-up (came back, rated, left, silent).
    "recovery.results": ("goodwill.recovery.jobs.measure_results", 3600),
}

# Insights (issue 15): refresh the daily figures of conversations changed in the last minutes,
# catching what other apps' subscribers wrote after insights' ran (mood scores, SLA outcomes).
PERIODIC["insights.sweep"] = ("goodwill.insights.jobs.sweep", 60)
