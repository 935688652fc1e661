"""Charges as structured statute codes.

A prosecutor types "PC 236.1(a)", "Penal Code § 236.1 (b)" or "18 USC 1591(a)(1)"; the charge
keeps the canonical code ("PC 236.1(a)", "18 U.S.C. 1591(a)(1)") and whether it is a trafficking
charge, decided by the task force's own list of trafficking statutes (a section, or a range of
sections, with every subsection). Matching the text exactly undercounted the BJA figure of
defendants charged with trafficking: "PC 236.1(a)" was not "PC 236.1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STATE = re.compile(
    r"^(?:CAL(?:IFORNIA)?\.?\s*)?(?:PC|P\.C\.|PENAL\s+CODE)\s*(?:§|SEC(?:TION)?\.?)?\s*(?P<rest>.+)$"
)
_FEDERAL = re.compile(r"^18\s*U\.?\s*S\.?\s*C\.?\s*(?:§+|SEC(?:TION)?\.?)?\s*(?P<rest>.+)$")
_SECTION = re.compile(r"^(?P<section>\d+(?:\.\d+)?[A-Z]?)\s*(?P<subs>(?:\(\s*[0-9A-Z]+\s*\))*)\s*$")
# A range of sections, with a hyphen or an en dash (as statutes are often written).
_RANGE = re.compile(r"^(?P<head>.+?)\s*(?P<low>\d+(?:\.\d+)?)\s*[-\u2013]\s*(?P<high>\d+(?:\.\d+)?)$")
_BARE_SUBS = re.compile(r"^(?P<section>\d+(?:\.\d+)?)(?P<letter>[A-Z])$")


@dataclass(frozen=True, slots=True)
class Statute:
    code: str  # "PC" or "18 U.S.C."
    section: str  # "236.1", "1591", "266h"
    subsections: tuple[str, ...] = ()

    def __str__(self) -> str:
        subs = "".join(f"({s})" for s in self.subsections)
        return f"{self.code} {self.section}{subs}"


def parse(text: str) -> Statute | None:
    """The structured statute of what was typed, or None when it is not a known code."""
    raw = " ".join(text.upper().split())
    for pattern, code in ((_STATE, "PC"), (_FEDERAL, "18 U.S.C.")):
        match = pattern.match(raw)
        if match is None:
            continue
        rest = match.group("rest").strip()
        section = _SECTION.match(rest)
        if section is None:
            return None
        number = section.group("section")
        subs = tuple(s.strip().lower() for s in re.findall(r"\(\s*([0-9A-Z]+)\s*\)", section.group("subs")))
        bare = _BARE_SUBS.match(number)
        if code == "PC" and bare and "." in number:
            # "236.1A": a subsection typed without brackets.
            number, subs = bare.group("section"), (bare.group("letter").lower(), *subs)
        if code == "PC":
            number = number.lower()  # "266H" is section 266h
        return Statute(code=code, section=number, subsections=subs)
    return None


def canonical(text: str) -> str:
    """The code as stored: canonical when it parses, else the text with its spaces tidied."""
    statute = parse(text)
    return str(statute) if statute else " ".join(text.split())


def _section_key(section: str) -> tuple[tuple[int, ...], str]:
    """A section's place in its code: the numbers of its dotted parts, then any letter.

    Section numbers are not decimals: "236.10" comes after "236.9" and is not "236.1", and
    "266h" sits between 266 and 267."""
    number = re.match(r"\d+(?:\.\d+)*", section)
    if number is None:
        return ((), section)
    return (tuple(int(part) for part in number.group(0).split(".")), section[number.end() :])


def matches(statute: Statute, entry: str) -> bool:
    """Whether a charge under ``statute`` falls within one trafficking-list entry: a section
    ("PC 236.1", every subsection included) or a range of sections ("18 U.S.C. 1581-1592")."""
    entry = " ".join(entry.split())
    span = _RANGE.match(entry)
    if span:
        head = parse(f"{span.group('head')} {span.group('low')}")
        if head is None or head.code != statute.code:
            return False
        # Inclusive at both ends; a charge's subsections ("1592(a)") are inside its section.
        return (
            _section_key(span.group("low"))
            <= _section_key(statute.section)
            <= _section_key(span.group("high"))
        )
    listed = parse(entry)
    if listed is None or listed.code != statute.code or listed.section != statute.section:
        return False
    # A listed subsection narrows the entry: "PC 236.1(c)" matches only (c) and what is below it.
    return statute.subsections[: len(listed.subsections)] == listed.subsections


def is_trafficking(text: str, trafficking_statutes: list[str] | tuple[str, ...]) -> bool:
    statute = parse(text)
    return statute is not None and any(matches(statute, entry) for entry in trafficking_statutes)


def valid_entry(entry: str) -> bool:
    """A trafficking-list entry the settings page accepts: a parsable section or range."""
    entry = " ".join(entry.split())
    span = _RANGE.match(entry)
    if span:
        return parse(f"{span.group('head')} {span.group('low')}") is not None and _section_key(
            span.group("low")
        ) <= _section_key(span.group("high"))
    return parse(entry) is not None
