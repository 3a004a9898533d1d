"""The Escalation Mode REST API (docs/architecture.md#api): escalate, the queue, pick-up and the
transitions, the audit trail, the manual baseline and time-to-first-action metrics."""
