"""Counting (计票): the result per candidate by its method, then per tier and category against the
places the quota leaves. Pure: it reads what the meeting recorded and returns what it shows.

A candidate passes with more than half of the members present and not recused voting for it (the
programme's threshold); a deliberation (审议) passes what the body decided. Where more pass than
places, the chair resolves it by an explicit act naming whom (nothing is selected beyond the
quota); candidates equal in votes across the cut are reported as a tie, never broken silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.decisions.procedures import Threshold

CHOICES = ("for", "against", "abstain")


@dataclass
class CandidateResult:
    application_id: str
    name: str
    tier: str
    category: str
    method: str
    eligible: list[str]  # members present and not recused
    recused: list[str]
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHOICES, 0))
    voted: int = 0
    named: list[dict[str, str]] = field(default_factory=list)  # show of hands: each vote by name
    deliberation: dict[str, Any] | None = None
    passed: bool | None = None  # None: not decided yet

    @property
    def complete(self) -> bool:
        if self.method == "deliberation":
            return self.deliberation is not None
        return self.voted >= len(self.eligible)

    def as_dict(self) -> dict[str, Any]:
        return {
            "application_id": self.application_id,
            "name": self.name,
            "tier": self.tier,
            "category": self.category,
            "method": self.method,
            "eligible": len(self.eligible),
            "recused": self.recused,
            "voted": self.voted,
            "counts": self.counts,
            "named_votes": self.named,
            "deliberation": self.deliberation,
            "complete": self.complete,
            "passed": self.passed,
        }


@dataclass
class GroupResult:
    tier: str
    category: str
    places: int | None  # None: no quota over the group
    soft: bool
    quota_clause: str | None
    passing: list[str]
    ties: list[list[str]]
    needs_resolution: bool
    resolution: dict[str, Any] | None
    selected: list[str]

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def count_candidate(
    entry: Mapping[str, Any],
    group: Mapping[str, Any],
    eligible: Sequence[str],
    recused: Sequence[str],
    named: Sequence[tuple[str, str, str]],
    ballots: Mapping[str, int],
    deliberation: Mapping[str, Any] | None,
    threshold: Threshold,
) -> CandidateResult:
    """``named``: (member id, member name, choice) of a show of hands; ``ballots``: choice → count of
    a secret ballot's ballots (read from the ballots alone)."""
    res = CandidateResult(
        application_id=str(entry["application_id"]),
        name=str(entry.get("name", "")),
        tier=str(group["tier"]),
        category=str(group["category"]),
        method=str(group["method"]),
        eligible=list(eligible),
        recused=list(recused),
    )
    if res.method == "deliberation":
        res.deliberation = dict(deliberation) if deliberation else None
        res.passed = None if deliberation is None else deliberation.get("decision") == "select"
        return res
    if res.method == "show_of_hands":
        for member_id, name, choice in named:
            res.counts[choice] += 1
            res.named.append({"member_id": member_id, "name": name, "choice": choice})
    else:
        for choice in CHOICES:
            res.counts[choice] = int(ballots.get(choice, 0))
    res.voted = sum(res.counts.values())
    res.passed = threshold.passes(res.counts["for"], len(res.eligible)) if res.complete else None
    return res


def settle_group(
    tier: str,
    category: str,
    results: Sequence[CandidateResult],
    places: int | None,
    soft: bool,
    quota_clause: str | None,
    resolution: Mapping[str, Any] | None,
) -> GroupResult:
    passing = [r for r in results if r.passed]
    # the order the count gives: votes for, most first (a deliberation's passes are all equal)
    passing.sort(key=lambda r: -r.counts["for"])
    over = places is not None and len(passing) > places
    ties: list[list[str]] = []
    if over and places is not None:
        # equal votes across the cut: reported to the chair, never broken here
        cut = passing[places - 1].counts["for"] if places > 0 else None
        tied = [r.application_id for r in passing if cut is not None and r.counts["for"] == cut]
        if len(tied) > 1:
            ties.append(tied)
    ids = [r.application_id for r in passing]
    if resolution is not None:
        selected = [str(s) for s in resolution["selected"]]
    elif over:
        selected = []
    else:
        selected = ids
    return GroupResult(
        tier=tier,
        category=category,
        places=places,
        soft=soft,
        quota_clause=quota_clause,
        passing=ids,
        ties=ties,
        needs_resolution=over and resolution is None,
        resolution=dict(resolution) if resolution else None,
        selected=selected,
    )
