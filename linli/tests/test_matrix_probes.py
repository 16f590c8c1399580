"""The scope matrix's generator: viewers × models × actions (querysets) and viewers × read paths × objects
(pages, API, exports, search), each probe checked against linli/tests/test_matrix_spec.py.

`queryset_probes` and `path_probes` are plain functions returning a `Result` (how many probes ran, which
failed), so that a test can break one rule and check that the matrix notices. The read paths come from the
URL configuration itself: a URL the generator cannot classify is a failure, so a new page cannot be left
out of the matrix by forgetting it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import SecondFactorClient
from linli.accounts import scopes
from linli.accounts.models import User

from .matrix_checks import PK_MAPS, READ_PATHS, Probe, Result
from .matrix_checks_timebank import TIMEBANK_NOT_READ_PATHS
from .matrix_checks_volunteers import VOLUNTEER_NOT_READ_PATHS
from .test_matrix_spec import ACTIONS, MODELS, Snapshot, expected, universe


@dataclass(frozen=True)
class Viewer:
    name: str
    user_id: int
    only: frozenset[int] | None = None

    def fresh(self) -> User:
        """A new user object each time: the scope cached on an old one must not hide a changed rule."""
        user = User.objects.get(pk=self.user_id)
        if self.only is not None:
            user.only_grant_ids = self.only  # type: ignore[attr-defined]
        return user


def viewers(world: Any) -> list[Viewer]:
    from linli.accounts.models import Grant

    out = [Viewer(u.username, u.pk) for u in world.all_users()]
    multi = world.extras["multi"]
    for grant in Grant.objects.filter(user=multi):
        out.append(Viewer(f"{multi.username}[only {grant.role}]", multi.pk, frozenset({grant.pk})))
    return out


# --------------------------------------------------------------------------------------------------
# Querysets: "sees its own" and "sees nothing else", row by row


def queryset_probes(world: Any, labels: set[str] | None = None) -> Result:
    """Every viewer × model (or only `labels`) × action × row."""
    result = Result()
    snap = Snapshot()
    missing = sorted(set(scopes.RULES) - set(MODELS))
    for label in missing:
        result.check(False, f"rule {label} has no oracle in test_matrix_spec.MODELS: add the spec for it")
    for viewer in viewers(world):
        for label, model in MODELS.items():
            if labels is not None and label not in labels:
                continue
            rows = universe(snap, label)
            for action in ACTIONS:
                want = expected(snap, viewer.fresh(), label, action, viewer.only)
                try:
                    got = set(
                        scopes.restrict(model._default_manager.all(), viewer.fresh(), action).values_list(
                            "pk", flat=True
                        )
                    )
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {label} {action}: restrict raised {exc!r}")
                    continue
                for pk in sorted(rows - want.open_):
                    inside = pk in want.must
                    result.check(
                        (pk in got) == inside,
                        f"{viewer.name} {label}#{pk} {action}: {'must see, hidden' if inside else 'must not see, shown'}",
                    )
    return result


# --------------------------------------------------------------------------------------------------
# Read paths, from the URL configuration


# Paths that read no scoped data, each with why. Checked by name ("namespace:name") or by namespace.
NOT_READ_PATHS: dict[str, str] = {
    "accounts:login": "login form",
    "accounts:login_otp": "second login step, the user's own device",
    "accounts:phone_send": "POST: sends a code",
    "accounts:phone_verify": "POST: checks a code",
    "accounts:logout": "logout",
    "accounts:security": "the user's own two-factor settings",
    "set_language": "i18n: POST, sets a cookie",
    "switch_role": "POST: picks which of the user's own roles the pages show",
    "api:schema": "the OpenAPI document: no rows",
    "api:api-root": "the API's index of endpoints: no rows",
    "api:dispatch-decide": "POST only: decides and stores (the decision's scope is probed by the decision rule)",
    "api:dispatch-correct": "POST only: corrects a decision it finds through decisions_for (scoped read)",
    "places:import": "upload form; GET shows an empty form, the write is an action with its own checks",
    "orgs:matters_import": "upload form, as above",
    "orgs:units_import": "upload form, as above",
    "api:token-revoke": "POST only: revokes a token it finds through the scoped token list",
    "api:not-found": "the JSON 404 for API addresses no route matched: reads nothing",
    "worktime:import": "upload form, as above",
    "notices:read": "POST only: marks a notice read that it finds through the scoped inbox",
    "notices:read_all": "POST only: marks the user's own notices read through the scoped queryset",
    "places:rename": "POST only: renames a place found through places_for; the action checks can_shape_place_tree",
    "places:move": "POST only: as above, moving it under a parent the user may change",
    "places:retire": "POST only: as above, retiring it",
    "places:restore": "POST only: as above, restoring it",
    # Project packages (issue 20): index, detail and photo are probed (linli/tests/matrix_checks_projects.py).
    "projects:new": "the staff form: an empty form and the places the user may change",
    "projects:act": "POST only: each project action checks its own predicate on a project found through restrict",
    "projects:choose": "POST only: a claim found through restrict; choose_claim checks can_manage_projects",
    "participation:vote_create": "the new-vote form: an empty form and the estates and buildings the user may change",
    "participation:vote_open": "POST only: opens a vote found through the scoped read; open_vote checks can_run_vote",
    "participation:vote_close": "POST only: as above, closing it (close_vote checks can_run_vote)",
    "participation:vote_cancel": "POST only: as above, cancelling it (cancel_vote checks can_run_vote)",
    "people:transfer_template": "the import templates: column headings and example rows, no rows of data",
    "people:transfer_upload": "POST only: stores the uploader's own file as a new import job",
    "people:register": "the registration form: an empty form and the places the user may change (pick names)",
    "people:reveal": "POST only: reveals a person found through the scoped read; reveal_person logs it",
    "people:subject_copy": "POST only: a person found through the scoped read; the action checks its predicate, logged",
    "people:person_act": "POST only: each registry action checks its own predicate on a scoped person",
    "people:person_act_on": "POST only: as above, on a tag, consent or party record of a scoped person",
    "people:household_act": "POST only: as above, on a scoped household",
    "people:household_act_on": "POST only: as above, on a member of a scoped household",
    "people:house_act": "POST only: as above, on a scoped house",
    "people:house_act_on": "POST only: as above, on an owner or tenant of a scoped house",
    "cases:reveal": "POST only: reveals a reporter's contact on a case found through the scoped read, logged",
    "cases:act": "POST only: each step's action checks its own predicate, scope and state",
    "cases:act_on": "POST only: as above, on a return, approval or whistle call of a scoped case",
    "board:list": "public board: answered cases with fixed, non-personal fields (tested in linli/cases/tests)",
    "board:case": "public board: one answered case, fixed non-personal fields (tested in linli/cases/tests)",
    "intake:report": "the resident's form: names of places anyone may pick (the pick action), no rows",
    "intake:hotline": "the operator's form: names of places anyone may pick, no rows",
    "intake:places": "the place picker: public names through the pick action",
    "intake:duplicates": "POST only: reads candidate cases through restrict (duplicates.py)",
    "intake:import": "upload form; the write is an action with its own checks",
    "intake:import_template": "the import template: column headings, no rows",
    "api:case-accept": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-co-units": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-contact": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-decide-approval": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-dispatch": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-escalate": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-invalidate": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-merge": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-note": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-rate": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-request-approval": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-resolve": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-resume": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-return": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-review-return": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-verify": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-whistle": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "api:case-whistle-report": "POST only: a step on a case found through the scoped queryset; the action checks its predicate",
    "open311:root": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:discovery": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:services": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:service": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:requests": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:request": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:token": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:updates": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "open311:not-found": "Open311: the public board's cases, or the api_key's scope (linli/open311/tests)",
    "api:person-reveal": "POST only: reveals a person found through the scoped queryset; the action checks "
    "can_reveal_person and writes one access-log row (linli/api/tests/test_people_api.py)",
    "assessment:reverse_rate": "POST only: rates an exchange on a case found through the scoped read; rate_exchange "
    "checks can_rate_exchange (the answer on the row is the action's, tested in linli/assessment/tests)",
    "assessment:reverse_survey_open": "district command's form to open a survey: an empty form and the districts "
    "it may open one for (its own, picked through restrict); the write is open_survey with its own checks",
    "resources:new": "the entry form: an empty form, the places the user may change and the users it reads (restrict)",
    "resources:act": "POST only: confirm or retire an entry found through restrict(change); the action checks its predicate",
    "resources:book": "POST only: books a venue found through the scoped read; book_venue checks can_book_venue",
    "resources:booking_act": "POST only: confirms or cancels a booking found through the scoped read; the action checks",
    "services:offer_new": "an empty offer form; its pickers list provider names and places the user keeps",
    "services:kind_new": "an empty service kind form; district command only, matters are a public catalogue",
    "services:kind_edit": "a service kind: a catalogue every grant holder reads, district command edits",
    "services:assign": "POST: gives a matched provider a case the user may dispatch (the cases' dispatch)",
    "participation:topic_open": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_comment": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:comment_hide": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_proposal": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_decide": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_vote": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_publish": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_case": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_done": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:topic_reject": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:meeting_attendance": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "participation:meeting_minutes": "POST only: a deliberation action on a topic found through the scoped read; it checks its own predicate",
    "worktime:template": "a year of the working calendar, a catalogue every grant holder reads; calendar editors only",
    **TIMEBANK_NOT_READ_PATHS,
    **VOLUNTEER_NOT_READ_PATHS,
}
# Whole namespaces outside the matrix: the Django admin has its own gate (Linli's login with two-factor).
NOT_READ_NAMESPACES = {"admin": "Django admin: behind Linli's own login and two-factor, tested with the doors"}


def url_patterns() -> Iterator[tuple[str | None, str, URLPattern]]:
    def walk(patterns: list[Any], prefix: str, ns: tuple[str, ...]) -> Iterator[tuple[str | None, str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns + ((p.namespace,) if p.namespace else ()))
            else:
                name = ":".join((*ns, p.name)) if p.name else None
                yield name, prefix + str(p.pattern), p

    yield from walk(get_resolver().url_patterns, "/", ())


def classify() -> tuple[list[tuple[str, bool]], list[str]]:
    """(read paths to probe as (name, has a format suffix), problems: unclassified or stale names)."""
    problems: list[str] = []
    found: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for name, route, _ in url_patterns():
        if route.startswith("/admin/"):
            continue  # NOT_READ_NAMESPACES["admin"], including the admin's unnamed patterns
        if name is None:
            problems.append(f"unnamed URL {route}: name it and classify it in READ_PATHS or NOT_READ_PATHS")
            continue
        seen.add(name)
        if name.split(":")[0] in NOT_READ_NAMESPACES or name in NOT_READ_PATHS:
            continue
        if name not in READ_PATHS:
            problems.append(f"URL {name} ({route}) is not in the scope matrix: add a probe or a commented exemption")
            continue
        found.append((name, "format" in route))
    for name in sorted((set(READ_PATHS) | set(NOT_READ_PATHS)) - seen):
        problems.append(f"stale matrix entry {name}: no such URL")
    return found, problems


class _Found(Exception):
    """The first failure, when that is all a caller wants to know."""


def path_probes(world: Any, only: set[str] | None = None, *, until_failure: bool = False) -> Result:
    """Every viewer (or only `only`) × every read path. With `until_failure` it stops at the first failed
    probe: a mutation test needs one, and a full run over every page costs minutes per mutation."""
    result = Result()
    paths, problems = classify()
    for problem in problems:
        result.check(False, problem)
    snap = Snapshot()
    PK_MAPS.clear()
    try:
        for index, viewer in enumerate(viewers(world)):
            if viewer.only is not None or (only is not None and viewer.name not in only):
                continue  # narrowed grants come with tokens, not sessions
            user = viewer.fresh()
            client = SecondFactorClient()
            client.force_login(user)
            probe = Probe(client, viewer.name, user, snap, world, result, index=index)
            for name, suffixed in paths:

                def url(name: str = name, suffixed: bool = suffixed, **kwargs: Any) -> str:
                    return reverse(name, kwargs={**kwargs, "format": "json"} if suffixed else kwargs or None)

                probe.per_side = 1 if suffixed else 3
                try:
                    READ_PATHS[name](probe, url)
                except Exception as exc:  # a crashing path is a failed probe
                    result.check(False, f"{viewer.name} {name}: {exc!r}")
                if until_failure and result.failures:
                    raise _Found
    except _Found:
        pass
    return result
