"""The dispatch engine: text, place and channel in; matter, responsible unit and the reasons out.

One entry point, `decide`. It reads only; callers reach it through `services.decide_and_record`, which
also checks who asks and stores the decision (`actions.record_decision`) unless the caller is only trying. Three sources are combined:
- the classifier (linli.dispatch.textmodel) gives calibrated probabilities over the 7 matter classes
  and the terms that drove them;
- the responsibility list's keywords pick the matter inside a class (and are shown as reasons);
- the place resolver turns a point, an address or the text itself into a place, and the
  responsibility list (orgs.queries.responsible_unit) names the unit for that matter and place.
A decision is automatic only when the class confidence clears the model's threshold and a place and a
unit were found; otherwise it goes to a person with the top three suggestions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from linli.orgs.choices import MatterClass
from linli.orgs.models import Matter, Unit
from linli.orgs.queries import Responsibility, responsible_unit
from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.places.models import Place
from linli.places.queries import resolve_address, resolve_point

from . import registry
from .choices import DecisionMode
from .learned import learned_matter
from .models import DispatchModel
from .rules import RuleHit, rule_hits
from .textmodel import normalize_text

TOP_SUGGESTIONS = 3
PLACE_TEXT_LIMIT = 3000


@dataclass
class Suggestion:
    category: str
    probability: float
    matter_id: int | None
    matter: str
    unit_id: int | None
    unit: str
    fallback: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class Decision:
    mode: str
    category: str
    confidence: float
    threshold: float
    probabilities: dict[str, float]
    place: Place | None
    matter: Matter | None
    unit: Unit | None
    suggestions: list[Suggestion]
    reasons: dict[str, Any]
    model: DispatchModel | None

    @property
    def model_version(self) -> int | None:
        return self.model.version if self.model else None

    def suggestions_json(self) -> list[dict[str, Any]]:
        return [asdict(s) for s in self.suggestions]


def _resolve_place(
    text: str, place: Place | None, lon: float | None, lat: float | None, address: str
) -> tuple[Place | None, str]:
    if place is not None:
        return place, _("given with the request")
    if lon is not None and lat is not None:
        found = resolve_point(lon, lat)
        if found is not None:
            return found, _("the point lies in grid %(name)s") % {"name": found.name}
    # An address field is meant as one, so a weaker match is accepted there than in free text.
    for source, label, cutoff in ((address, _("address"), 60), (text[:PLACE_TEXT_LIMIT], _("message text"), 80)):
        if source:
            match = resolve_address(source)
            if match is not None and match.score >= cutoff:
                return match.place, _("%(label)s names %(terms)s") % {"label": label, "terms": "、".join(match.matched)}
    return None, _("no place could be read from the point, the address or the text")


def _route(
    category: str, hits: list[RuleHit], place: Place | None, text: str = ""
) -> tuple[Matter | None, Responsibility | None, list[str]]:
    """The matter inside `category` that the keywords point to, and who owns it at `place`."""
    reasons: list[str] = []
    in_class = [h for h in hits if h.category == category]
    matter = Matter.objects.filter(pk=in_class[0].matter_id).first() if in_class else None
    if matter is not None:
        reasons.append(
            _("keywords of matter %(name)s: %(kw)s") % {"name": matter.name, "kw": "、".join(in_class[0].keywords)}
        )
    elif text:
        learned = learned_matter(text, category)
        matter = Matter.objects.filter(pk=learned.matter_id, is_active=True).first() if learned else None
        if matter is not None and learned is not None:
            reasons.append(
                _("like %(n)d case(s) people routed to matter %(name)s (similarity %(s).2f)")
                % {"n": learned.votes, "name": matter.name, "s": learned.similarity}
            )
    if place is None:
        return matter, None, reasons
    if matter is not None:
        return matter, responsible_unit(matter, place), reasons
    # No listed matter: the street of the place takes it (街道兜底, DESIGN §3), never a department guessed
    # from the broad class; a missing manhole cover of unknown owner is exactly what the street must take.
    reasons.append(_("no listed matter's keywords: the street of the place takes it"))
    return None, responsible_unit(None, place), reasons


def decide(
    title: str = "",
    body: str = "",
    *,
    place: Place | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
    address: str = "",
    channel: str = "web",
) -> Decision:
    clean_title, clean_body = normalize_text(title or ""), normalize_text(body or "")
    text = f"{clean_title} {clean_body}".strip()
    model_row, classifier = registry.active_model()
    resolved, place_reason = _resolve_place(text, place, longitude, latitude, normalize_text(address or ""))
    if resolved is not None and LEVEL_RANK[resolved.level] < LEVEL_RANK[PlaceLevel.STREET]:
        place_reason += _("; the place is coarser than a street")
    hits = rule_hits(text) if text else []
    if classifier is not None and text:
        probabilities = {k: float(v) for k, v in classifier.predict_proba(clean_title, clean_body).items()}
        ranked_classes = sorted(probabilities, key=probabilities.__getitem__, reverse=True)[:TOP_SUGGESTIONS]
        terms_by_class = {
            c: _readable_terms(classifier.explain(clean_title, clean_body, c, top=12)) for c in ranked_classes
        }
    else:
        # No model yet (or nothing to read): the keywords alone vote, and never dispatch automatically.
        probabilities = _rule_probabilities(hits)
        terms_by_class = {}
    ranked = sorted(probabilities, key=probabilities.__getitem__, reverse=True)
    suggestions: list[Suggestion] = []
    routed: dict[str, tuple[Matter | None, Responsibility | None]] = {}
    for category in ranked[:TOP_SUGGESTIONS]:
        matter, responsibility, reasons = _route(category, hits, resolved, text)
        routed[category] = (matter, responsibility)
        terms = [t for t, _w in terms_by_class.get(category, [])]
        if terms:
            reasons.insert(0, _("terms for %(c)s: %(t)s") % {"c": category, "t": "、".join(terms)})
        if responsibility is not None:
            reasons.append(responsibility.reason)
        unit = responsibility.unit if responsibility else None
        suggestions.append(
            Suggestion(
                category=category,
                probability=round(probabilities[category], 4),
                matter_id=matter.pk if matter else None,
                matter=matter.name if matter else "",
                unit_id=unit.pk if unit else None,
                unit=unit.name if unit else "",
                fallback=bool(responsibility and responsibility.fallback),
                reasons=reasons,
            )
        )
    top = ranked[0] if ranked else ""
    confidence = probabilities.get(top, 0.0)
    threshold = settings.DISPATCH_AUTO_THRESHOLD or (model_row.threshold if model_row else 1.0)
    matter, responsibility = routed.get(top, (None, None))
    unit = responsibility.unit if responsibility else None
    why_manual = []
    if classifier is None:
        why_manual.append(_("no trained model is active"))
    if confidence < threshold:
        why_manual.append(_("confidence %(c).2f is below the threshold %(t).2f") % {"c": confidence, "t": threshold})
    if resolved is None:
        why_manual.append(_("no place"))
    elif LEVEL_RANK[resolved.level] < LEVEL_RANK[PlaceLevel.STREET]:
        why_manual.append(_("the place is coarser than a street"))
    if unit is None:
        why_manual.append(_("no responsible unit"))
    mode = DecisionMode.MANUAL if why_manual else DecisionMode.AUTO
    return Decision(
        mode=mode,
        category=top,
        confidence=round(confidence, 4),
        threshold=threshold,
        probabilities={k: round(v, 4) for k, v in probabilities.items()},
        place=resolved,
        matter=matter,
        unit=unit,
        suggestions=suggestions,
        reasons={
            "place": place_reason,
            "rules": [
                {"matter": h.name, "code": h.code, "category": h.category, "keywords": list(h.keywords)}
                for h in hits[:5]
            ],
            "terms": {c: [[t, round(float(w), 4)] for t, w in terms] for c, terms in terms_by_class.items()},
            "manual": why_manual,
            "channel": channel,
        },
        model=model_row,
    )


def _readable_terms(terms: list[tuple[str, float]], keep: int = 5) -> list[tuple[str, float]]:
    """Prefer words over single characters, and skip n-grams cut across punctuation, when showing a person
    why: 消防通道 says more than 道 or "物,"."""
    clean = [
        t for t in terms if t[0].strip() and not any(unicodedata.category(ch).startswith(("P", "Z")) for ch in t[0])
    ]
    longer = [t for t in clean if len(t[0]) >= 2]
    return (longer + [t for t in clean if len(t[0]) < 2])[:keep]


def _rule_probabilities(hits: list[RuleHit]) -> dict[str, float]:
    weights = {c: 0.0 for c in MatterClass.values}
    for hit in hits:
        weights[hit.category] += hit.weight
    total = sum(weights.values())
    if total == 0:
        return {c: 1 / len(weights) for c in weights}
    return {c: w / total for c, w in weights.items()}
