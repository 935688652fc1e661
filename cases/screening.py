"""The trafficking screening: indicator domains and questions, in our own words.

Asked in a trauma-informed way: every question may be declined, and nothing here is a
verdict. The short form is asked at intake; the long form later, when trust allows.
Question codes are stored with the answers, so wording can improve without losing meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"
    DECLINED = "declined", "Prefers not to say"


class Form(models.TextChoices):
    SHORT = "short", "Short form (intake)"
    LONG = "long", "Long form"


@dataclass(frozen=True, slots=True)
class Question:
    code: str
    text: str
    short: bool = False  # also on the short form


@dataclass(frozen=True, slots=True)
class Domain:
    code: str
    label: str
    questions: tuple[Question, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "recruitment",
        "Recruitment and migration",
        (
            Question(
                "recruit_promise",
                "Were you offered a job or opportunity that turned out to be different?",
                True,
            ),
            Question("recruit_debt", "Did you owe money to someone for travel, housing or the job?"),
            Question("recruit_documents_arranged", "Did someone else arrange your travel or papers?"),
        ),
    ),
    Domain(
        "deception",
        "Deception",
        (
            Question("deceive_pay", "Was the pay or the work different from what you were told?"),
            Question("deceive_conditions", "Were you told things about your situation that were not true?"),
        ),
    ),
    Domain(
        "coercion",
        "Coercion and control",
        (
            Question("control_leave", "Did you feel you could not leave when you wanted to?", True),
            Question("control_documents", "Did someone keep your ID, passport or other papers?", True),
            Question("control_money", "Did someone take or control the money you earned?"),
            Question("control_watched", "Were you watched, followed or tracked?"),
        ),
    ),
    Domain(
        "conditions",
        "Work and living conditions",
        (
            Question("work_hours", "Were you made to work hours you did not agree to, without rest?"),
            Question("work_living", "Did you live where you worked, or where the employer decided?"),
            Question("work_unpaid", "Were you paid nothing, or much less than promised?", True),
        ),
    ),
    Domain(
        "commercial_sex",
        "Commercial sex",
        (
            Question("sex_exchange", "Did you ever have sex in exchange for something of value?", True),
            Question("sex_someone_else", "Did someone else arrange it or take the money?", True),
        ),
    ),
    Domain(
        "isolation",
        "Isolation",
        (
            Question("isolate_contact", "Were you kept from contacting family or friends?"),
            Question("isolate_outside", "Were you allowed to go out on your own?"),
        ),
    ),
    Domain(
        "violence",
        "Violence and threats",
        (
            Question("threat_harm", "Were you or your family threatened or hurt?", True),
            Question("threat_authorities", "Were you threatened with police or immigration?"),
        ),
    ),
)

QUESTIONS: dict[str, tuple[Domain, Question]] = {q.code: (d, q) for d in DOMAINS for q in d.questions}
# A "no" to going out alone is the concerning answer; every other question flags on "yes".
INVERTED = frozenset({"isolate_outside"})
COMMERCIAL_SEX = ("sex_exchange", "sex_someone_else")


def questions_for(form: str) -> list[tuple[Domain, Question]]:
    return [(d, q) for d in DOMAINS for q in d.questions if form == Form.LONG or q.short]


def indicator_present(code: str, answer: str) -> bool:
    return answer == (Answer.NO if code in INVERTED else Answer.YES)


def summarize(answers: dict[str, str], *, minor: bool) -> dict[str, object]:
    """Indicators present per domain, and whether the answers flag trafficking.

    A minor involved in commercial sex is a trafficking victim by definition (no force,
    fraud or coercion needs to be shown), so that alone flags.
    """
    domains: dict[str, int] = {}
    for code, answer in answers.items():
        domain, _ = QUESTIONS[code]
        if indicator_present(code, answer):
            domains[domain.code] = domains.get(domain.code, 0) + 1
    minor_sex = minor and any(answers.get(code) == Answer.YES for code in COMMERCIAL_SEX)
    # Indicators in two domains, or any sign of coercion, warrant a closer look.
    flagged = minor_sex or len(domains) >= 2 or "coercion" in domains
    return {
        "indicators": domains,
        "indicator_count": sum(domains.values()),
        "minor_commercial_sex": minor_sex,
        "flagged": bool(flagged),
    }
