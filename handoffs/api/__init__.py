"""The Escalation Mode REST API (DESIGN.md §7): escalate, the queue, pick-up and the
transitions, the audit trail, the manual baseline and time-to-first-action metrics."""
