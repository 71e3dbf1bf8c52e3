"""Queue names, declared in one place, by priority.

Sign-up and log-in never wait on a queue. ``high`` carries what a user is waiting to see (fan-out of
their own note, notifications); ``media`` the photo renditions; ``translation`` and ``review`` their own
workloads so a backlog in one never starves another; ``low`` rebuilds and housekeeping.
"""

DEFAULT = "default"
HIGH = "high"
LOW = "low"
MEDIA = "media"
TRANSLATION = "translation"
REVIEW = "review"

ALL = [DEFAULT, HIGH, LOW, MEDIA, TRANSLATION, REVIEW]
