"""Names people read for the review app's codes (categories, sources, actions, restrictions), and the
shipped community-guideline clauses, in the viewer's language.

Codes stay codes in data, the API and the audit log; pages and statements show these labels. The
clauses live in the policy packs (YAML an operator may edit): the shipped English texts are listed here
so that makemessages extracts them; a clause an operator rewrote is shown as written.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy, gettext_noop

from review.models import Action, AppealStatus, TargetType
from review.packs import get_packs

CATEGORIES = {
    "csam": gettext_lazy("Child sexual abuse"),
    "terrorism": gettext_lazy("Terrorism or violent extremism"),
    "hate": gettext_lazy("Hate"),
    "harassment": gettext_lazy("Harassment or threats"),
    "self_harm": gettext_lazy("Suicide or self-harm"),
    "sexual": gettext_lazy("Sexual content"),
    "violence": gettext_lazy("Violence"),
    "scam": gettext_lazy("Scam or fraud"),
    "spam": gettext_lazy("Spam"),
    "misinformation": gettext_lazy("Misinformation"),
    "impersonation": gettext_lazy("Impersonation"),
    "privacy": gettext_lazy("Private information"),
    "ip": gettext_lazy("Intellectual property"),
    "profanity": gettext_lazy("Profanity"),
    "illegal_local": gettext_lazy("Illegal in a country"),
    "state_protection": gettext_lazy("State protection"),
    "negative": gettext_lazy("“Negative” content"),
    "translation": gettext_lazy("Wrong translation"),
    "other": gettext_lazy("Other"),
}

SOURCES = {
    "screening": gettext_lazy("screening"),
    "report": gettext_lazy("report"),
    "appeal": gettext_lazy("appeal"),
    "impersonation": gettext_lazy("impersonation check"),
    "account_risk": gettext_lazy("account risk"),
}

# What happened to the content, as the statement of reasons says it (keyed by action).
RESTRICTIONS = {
    "reject": gettext_lazy("not published"),
    "remove": gettext_lazy("removed"),
    "withhold": gettext_lazy("withheld in the countries listed"),
    "approve": gettext_lazy("kept, with no restriction"),
    "hold": gettext_lazy("held for review (not visible to others yet)"),
}

SHIPPED_CLAUSES = [
    gettext_noop("No sexual content involving minors, ever."),
    gettext_noop("No support for terrorism or violent extremism."),
    gettext_noop(
        "No attacks on people for who they are (ethnicity, religion, nationality, gender, sexuality, disability)."
    ),
    gettext_noop("No threats, bullying or harassment of a person."),
    gettext_noop("No encouragement of suicide or self-harm. Posts asking for help are welcome and get support links."),
    gettext_noop("No sexual solicitation or explicit sexual content."),
    gettext_noop("No glorification or incitement of violence."),
    gettext_noop("No scams, fraud or deceptive money schemes."),
    gettext_noop("No spam: repetitive, automated or off-topic promotion."),
    gettext_noop("No false information likely to cause harm."),
    gettext_noop("No pretending to be another person or organisation."),
    gettext_noop("No sharing of other people's private information."),
    gettext_noop("No posting of others' work without permission."),
    gettext_noop("Keep language civil."),
    gettext_noop("Content unlawful in a country is withheld there."),
    gettext_noop("Content the country's rules class as negative is withheld there."),
    gettext_noop("A machine translation was reported as wrong."),
    gettext_noop("Other terms of service."),
]


def category(code: str) -> str:
    label = CATEGORIES.get(code)
    return str(label) if label is not None else code


def clause_text(text: str) -> str:
    """A clause in the active language when it is a shipped one; as written otherwise."""
    return gettext(text) if text else ""


def clause(code: str) -> str:
    return clause_text(str((get_packs().categories.get(code) or {}).get("clause", "")))


def source(code: str) -> str:
    label = SOURCES.get(code)
    return str(label) if label is not None else code


def action(code: str) -> str:
    return str(Action(code).label) if code in Action.values else code


def target(code: str) -> str:
    return str(TargetType(code).label) if code in TargetType.values else code


def appeal_status(code: str) -> str:
    return str(AppealStatus(code).label) if code in AppealStatus.values else code


def restriction(code: str) -> str:
    label = RESTRICTIONS.get(code)
    return str(label) if label is not None else code
