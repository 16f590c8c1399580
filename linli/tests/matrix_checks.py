"""The scope matrix's checks for each read path: what one viewer's page, API answer or export must show and
must not show, judged against linli/tests/test_matrix_spec.py. `READ_PATHS` maps each URL name to its check;
the generator in test_matrix_probes.py walks the URL configuration and calls them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from linli.accounts.models import User
from linli.api.pagination import MAX_LIMIT

from .test_matrix_spec import MODELS, Snapshot, expected, universe


@dataclass
class Result:
    count: int = 0
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, probe: str) -> None:
        self.count += 1
        if not ok:
            self.failures.append(probe)

    def __iadd__(self, other: Result) -> Result:
        self.count += other.count
        self.failures += other.failures
        return self


@dataclass
class Probe:
    """One viewer's session and what the oracle says they must and must not reach."""

    client: Client
    viewer: str
    user: User
    snap: Snapshot
    world: Any
    result: Result
    index: int = 0
    per_side: int = 3  # objects inside and outside probed per viewer and detail path (1 on ".json" twins)
    cache: dict[Any, Any] = field(default_factory=dict)

    def want(self, label: str, action: str = "view") -> tuple[set[int], set[int]]:
        key = ("want", label, action)
        if key not in self.cache:
            e = expected(self.snap, self.user, label, action)
            self.cache[key] = (e.must, universe(self.snap, label) - e.must - e.open_)
        return self.cache[key]  # type: ignore[no-any-return]

    def outside_markers(self) -> list[tuple[str, str, re.Pattern[str]]]:
        """(label, text, pattern) of every outside object's marker that can prove a leak: not part of any
        text the viewer may see (an inside object's marker, a visible place's ancestors, its own name)."""
        if "markers" not in self.cache:
            seen = [self.user.username, *PUBLIC_TEXT]
            for label, markers in MARKERS.items():
                seen += [m(o) for o in _visible(self, label) for m in markers]
                never = self.want(label)[1]
                seen += [m(o) for pk, o in _pk_map(label).items() if pk not in never for m in markers]
            events = self.want("core.auditevent")[0]
            if events:  # auditors read the audit trail, which names people and places: that is its job
                from linli.core.models import AuditEvent

                for target, actor, data in AuditEvent.objects.filter(pk__in=events).values_list(
                    "target_repr", "actor__username", "data"
                ):
                    seen += [target or "", actor or "", str(data)]
            blob = "\n".join(seen)
            out = []
            for label, markers in MARKERS.items():
                for pk in sorted(self.want(label)[1]):
                    for marker in markers:
                        text = marker(_pk_map(label)[pk])
                        if text and text not in blob:
                            out.append((label, text, _code_re(text)))
            self.cache["markers"] = out
        return self.cache["markers"]  # type: ignore[no-any-return]

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(url, params, follow=True)

    def check(self, ok: bool, what: str) -> None:
        self.result.check(ok, f"{self.viewer} {what}")


DENIED = {302, 401, 403}  # not for this viewer at all: the page's own gate (or no session)
HIDDEN = {401, 403, 404}


def _codes_in_json(body: Any) -> set[str]:
    rows = body.get("results", body) if isinstance(body, dict) else body
    return {r["code"] for r in rows if isinstance(r, dict) and "code" in r} if isinstance(rows, list) else set()


def _codes_in_csv(content: bytes) -> set[str] | None:
    text = content.decode("utf-8-sig", errors="replace")
    try:
        return {row["code"] for row in csv.DictReader(io.StringIO(text)) if row.get("code")}
    except (KeyError, csv.Error):
        return None


def _code_re(code: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(code)}(?![\w-])")


PK_MAPS: dict[str, dict[int, Any]] = {}


def _pk_map(label: str) -> dict[int, Any]:
    """The rows of a model, read once per matrix run (`path_probes` clears this)."""
    if label not in PK_MAPS:
        PK_MAPS[label] = {o.pk: o for o in MODELS[label]._default_manager.all()}
    return PK_MAPS[label]


def _sample(probe: Probe, pks: set[int], k: int) -> set[int]:
    """k of `pks`, a different k for each viewer, so that the viewers together cover every object while each
    makes few requests (the queryset matrix covers every object for every viewer)."""
    ordered = sorted(pks)
    if len(ordered) <= k:
        return set(ordered)
    start = (probe.index * k) % len(ordered)
    return set((ordered + ordered)[start : start + k])


def _detail(probe: Probe, label: str, url_of: Callable[[Any], str], action: str = "view") -> None:
    must, never = probe.want(label, action)
    chosen = _sample(probe, must, probe.per_side) | _sample(probe, never, probe.per_side)
    for pk, obj in _pk_map(label).items():
        if pk not in chosen:
            continue
        if pk in must:
            status = probe.client.get(url_of(obj)).status_code
            probe.check(status == 200 or status in DENIED, f"GET {url_of(obj)} ({label}#{pk} inside) → {status}")
        elif pk in never:
            status = probe.client.get(url_of(obj)).status_code
            probe.check(status in HIDDEN | DENIED, f"GET {url_of(obj)} ({label}#{pk} outside) → {status}")


def _api_list(probe: Probe, label: str, url: str) -> None:
    must, never = probe.want(label)
    response = probe.client.get(url, {"limit": MAX_LIMIT})
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not must, f"GET {url} → {response.status_code}")
        return
    codes = _codes_in_json(response.json())
    by_pk = _pk_map(label)
    for pk in must:
        probe.check(by_pk[pk].code in codes, f"GET {url}: {label} {by_pk[pk].code} inside, not listed")
    for pk in never:
        probe.check(by_pk[pk].code not in codes, f"GET {url}: {label} {by_pk[pk].code} outside, listed")


def _csv_export(probe: Probe, label: str, url: str) -> None:
    must, never = probe.want(label, "export")
    response = probe.client.get(url, {"format": "csv"})
    if response.status_code != 200:
        # A page's own gate may refuse a role the whole export (a permission, not a scope): no leak either way.
        probe.check(response.status_code in DENIED, f"GET {url} → {response.status_code}")
        return
    content = b"".join(response.streaming_content) if response.streaming else response.content
    codes = _codes_in_csv(content)
    if codes is None:
        probe.check(False, f"GET {url}: no code column")
        return
    by_pk = _pk_map(label)
    for pk in must:
        probe.check(by_pk[pk].code in codes, f"GET {url}: {label} {by_pk[pk].code} inside, not exported")
    for pk in never:
        probe.check(by_pk[pk].code not in codes, f"GET {url}: {label} {by_pk[pk].code} outside, exported")


def _leaks(probe: Probe, url: str, params: dict[str, str] | None = None, what: str = "") -> None:
    """A page may show less than the viewer's scope, never more: no outside row in its context, no outside
    object's unique marker in its body."""
    response = probe.client.get(url, params or {}, follow=True)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED | {404}, f"GET {url} {what}→ {response.status_code}")
        return
    body = response.content.decode()
    for label, text, pattern in probe.outside_markers():
        probe.check(not pattern.search(body), f"GET {url} {what}shows outside {label} {text!r}")


def _xlsx_leaks(probe: Probe, url: str) -> None:
    """An Excel export shows no outside object's marker in any cell."""
    from openpyxl import load_workbook

    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED, f"GET {url} → {response.status_code}")
        return
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    text = "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
    for label, marker, pattern in probe.outside_markers():
        probe.check(not pattern.search(text), f"GET {url} exports outside {label} {marker!r}")


def _api_case_list(probe: Probe, url: str) -> None:
    """The cases API lists every case in reach by its number, and no other."""
    must, never = probe.want("cases.case")
    response = probe.client.get(url, {"limit": MAX_LIMIT})
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not must, f"GET {url} → {response.status_code}")
        return
    body = response.content.decode()
    for pk, case in _pk_map("cases.case").items():
        if pk in must:
            probe.check(case.number in body, f"GET {url}: case {case.number} inside, not listed")
        elif pk in never:
            probe.check(case.number not in body, f"GET {url}: case {case.number} outside, listed")


def _caller(probe: Probe, url: str) -> None:
    """The hotline's earlier requests of a caller: for every phone on a case, nothing outside the viewer's scope."""
    from linli.cases.models import Case

    phones = {c.reporter_phone for c in Case.objects.exclude(reporter_phone_digest="")}
    for phone in sorted(phones)[:4]:
        _leaks(probe, url, {"reporter_phone": phone}, what=f"phone={phone[-4:]} ")


def _visible(probe: Probe, label: str) -> list[Any]:
    must = probe.want(label)[0]
    public = set()
    if label == "places.place":  # a visible place shows its ancestors' public names (breadcrumbs)
        for pk in must:
            public |= set(_pk_map(label)[pk].ancestor_ids)
    # A visible decision names its place and the units it was sent to: context of the work, not a leak.
    decisions = [_pk_map("dispatch.dispatchdecision")[pk] for pk in probe.want("dispatch.dispatchdecision")[0]]
    if label == "places.place":
        public |= {d.place_id for d in decisions}
    if label == "orgs.unit":
        public |= {d.unit_id for d in decisions} | {d.final_unit_id for d in decisions}
    # A visible case names where it is (with the place's ancestors) and every unit that held, was summoned
    # to, or returned it: the case's own story, not a leak of those places' or units' data.
    cases = probe.want("cases.case")[0]
    if label == "places.place" and cases:
        from linli.places.models import Place

        for place in Place.objects.filter(cases__in=cases):
            public |= {place.pk, *place.ancestor_ids}
    if label == "orgs.unit" and cases:
        from linli.cases.models import CaseAssignment, CaseReturn, WhistleCall

        for model in (CaseAssignment, WhistleCall, CaseReturn):
            public |= set(model.objects.filter(case__in=cases).values_list("unit_id", flat=True))
        for pair in CaseReturn.objects.filter(case__in=cases).values_list("suggested_unit_id", "final_unit_id"):
            public |= {pk for pk in pair if pk}
    if label == "orgs.unit":
        public |= _reverse_units(probe)
    if label == "places.place":
        public |= resource_places(probe, _pk_map)
        from .matrix_checks_volunteers import volunteer_public_places

        public |= volunteer_public_places(probe)
        public |= project_places(probe)
    return [o for pk, o in _pk_map(label).items() if pk in must or pk in public]


def _reverse_units(probe: Probe) -> set[int]:
    """Units the reverse assessment names to a viewer as its own story: the rater and rated units of the ratings
    and answers it reads, and the units its rater units rate (the survey page's candidates)."""
    from .matrix_spec_reverse import rated_candidates, rater_units

    out: set[int] = set()
    for label in ("assessment.exchangerating", "assessment.surveyanswer"):
        for pk in probe.want(label)[0]:
            row = _pk_map(label)[pk]
            out |= {row.rater_unit_id, row.rated_unit_id}
    for rater in rater_units(probe.snap, probe.snap.hats(probe.user)):
        out |= {rater, *rated_candidates(probe.snap, rater)}
    return out


# Unique texts by which a page shows a row; place codes too, matched as whole words.
MARKERS: dict[str, list[Callable[[Any], str]]] = {
    "places.place": [lambda p: p.name, lambda p: p.code],
    "orgs.unit": [lambda u: u.name],
    "accounts.user": [lambda u: u.username],
    "dispatch.dispatchdecision": [lambda d: d.title],
    "api.apitoken": [lambda t: t.name],
    "notices.notice": [lambda n: n.title],
    "cases.case": [lambda c: c.title],
    "people.person": [lambda p: p.name],
    "resources.resource": [lambda r: r.name],
    "projects.project": [lambda p: p.title],
    "projects.claim": [lambda c: c.proposal],
    "assessment.exchangerating": [lambda r: r.comment],
    "assessment.surveyanswer": [lambda a: a.comment],
    "assessment.reversesurvey": [lambda s: s.questions[0]["text"] if s.questions else ""],
    "participation.topic": [lambda t: t.title],
}
# The root place (every breadcrumb starts with it) and the superuser's name (also a word of CSS, `:root`).
PUBLIC_TEXT = {"北京市", "root"}


SEARCH_WORDS = ("区", "街道", "社区", "网格", "号楼")  # together they match every place of the world


def _place_search(probe: Probe, url: str) -> None:
    must, never = probe.want("places.place")
    for word in SEARCH_WORDS:
        matching = {pk for pk, p in _pk_map("places.place").items() if word in p.name and (pk in must or pk in never)}
        response = probe.client.get(url, {"q": word}, follow=True)
        if response.status_code != 200:
            # A page's own gate may refuse a role the whole search (a permission, not a scope).
            probe.check(response.status_code in DENIED, f"search {word} → {response.status_code}")
            continue
        body = response.content.decode()
        for pk in sorted(matching):
            place = _pk_map("places.place")[pk]
            found = bool(_code_re(place.code).search(body))
            state = "missing" if pk in must else "shown"
            probe.check(found == (pk in must), f"search {url}?q={word}: {place.code} {state}")


def _grid_points(probe: Probe) -> Iterator[tuple[Any, float, float]]:
    for place in _pk_map("places.place").values():
        if place.level == "grid" and place.geometry:
            ring = place.geometry["coordinates"][0]
            xs, ys = [x for x, _ in ring], [y for _, y in ring]
            yield place, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def _api_resolve(probe: Probe, url: str) -> None:
    must, never = probe.want("places.place")
    for place, lon, lat in _grid_points(probe):
        response = probe.client.get(url, {"lon": str(lon), "lat": str(lat)})
        if place.pk in must:
            ok = response.status_code in DENIED or (
                response.status_code == 200 and response.json()["code"] == place.code
            )
            probe.check(ok, f"GET {url} at {place.code} (inside) → {response.status_code}")
        elif place.pk in never:
            probe.check(
                response.status_code in HIDDEN | DENIED, f"GET {url} at {place.code} (outside) → {response.status_code}"
            )


def _page_resolve(probe: Probe, url: str) -> None:
    for place, lon, lat in _grid_points(probe):
        _leaks(probe, url, {"longitude": str(lon), "latitude": str(lat)}, what=f"at {place.code} ")


def _api_responsibility(probe: Probe, url: str) -> None:
    must, never = probe.want("places.place")
    chosen = _sample(probe, must, probe.per_side) | _sample(probe, never, probe.per_side)
    for pk, place in _pk_map("places.place").items():
        if pk in chosen:
            status = probe.client.get(url, {"place": place.code}).status_code
            ok = status in ({200} | DENIED) if pk in must else status in HIDDEN | DENIED
            probe.check(ok, f"GET {url}?place={place.code} ({'inside' if pk in must else 'outside'}) → {status}")


def _page_responsibility(probe: Probe, url: str) -> None:
    must, never = probe.want("places.place")
    chosen = _sample(probe, must, probe.per_side) | _sample(probe, never, probe.per_side)
    for pk, place in _pk_map("places.place").items():
        if pk not in chosen:
            continue
        response = probe.client.get(url, {"place_code": place.code})
        if response.status_code != 200:
            probe.check(response.status_code in DENIED, f"GET {url}?place_code={place.code} → {response.status_code}")
            continue
        result = response.context.get("result") if response.context else None
        answered = bool(result) and getattr(result.get("place"), "pk", None) == pk
        probe.check(answered == (pk in must), f"GET {url}?place_code={place.code}: answered={answered}")


def _me(probe: Probe, url: str) -> None:
    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED, f"GET {url} → {response.status_code}")
        return
    others = [u.username for u in User.objects.exclude(pk=probe.user.pk)]
    text = response.content.decode()
    probe.check(not [n for n in others if _code_re(n).search(text)], f"GET {url} names another user")


def _user_list(probe: Probe, url: str, action: str) -> None:
    """A list of accounts: every account in the viewer's reach for `action` is named, no other one."""
    must, never = probe.want("accounts.user", action)
    response = probe.client.get(url, {"page": 1})
    if response.status_code != 200:
        probe.check(
            response.status_code in DENIED and not (must - {probe.user.pk}), f"GET {url} → {response.status_code}"
        )
        return
    body = response.content.decode()
    for pk, user in _pk_map("accounts.user").items():
        if pk == probe.user.pk:
            continue  # the page names its viewer in the header
        if pk in must:
            probe.check(
                bool(_code_re(user.username).search(body)), f"GET {url}: user {user.username} inside, not listed"
            )
        elif pk in never:
            probe.check(not _code_re(user.username).search(body), f"GET {url}: user {user.username} outside, listed")


def _token_list(probe: Probe, url: str) -> None:
    """The token page: every token the viewer may see is named, no other one."""
    must, never = probe.want("api.apitoken")
    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not must, f"GET {url} → {response.status_code}")
        return
    body = response.content.decode()
    for pk, token in _pk_map("api.apitoken").items():
        if pk in must:
            probe.check(token.name in body, f"GET {url}: token {token.name} inside, not listed")
        elif pk in never:
            probe.check(token.name not in body, f"GET {url}: token {token.name} outside, listed")


def _decision_list(probe: Probe, url: str) -> None:
    must, never = probe.want("dispatch.dispatchdecision")
    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED, f"GET {url} → {response.status_code}")
        return
    body = response.content.decode()
    for pk, d in _pk_map("dispatch.dispatchdecision").items():
        if pk in must:
            probe.check(d.title in body, f"GET {url}: decision {d.title} inside, not listed")
        elif pk in never:
            probe.check(d.title not in body, f"GET {url}: decision {d.title} outside, listed")
    _leaks(probe, url)


def _inbox(probe: Probe, url: str) -> None:
    """The inbox lists the viewer's own notices (those the rule lets them see) and nobody else's, even for a
    platform admin, who may read other inboxes but does not get them as their own."""
    must = probe.want("notices.notice")[0]
    body = probe.get(url).content.decode()
    for pk, notice in _pk_map("notices.notice").items():
        own = pk in must and notice.recipient_id == probe.user.pk
        probe.check((notice.title in body) == own, f"GET {url}: notice {notice.title} {'own' if own else 'other'}")


def _browse(probe: Probe, url: Callable[..., str]) -> None:
    _leaks(probe, url())
    _place_search(probe, url())


def _export(probe: Probe, url: Callable[..., str]) -> None:
    _csv_export(probe, "places.place", url())
    _detail(probe, "places.place", lambda o: f"{url()}?format=csv&root={o.pk}")


# The registry's and the assessment's checks live in their own modules, which read this one's helpers:
# imported here, after them.
from .matrix_checks_assessment import ASSESSMENT_READ_PATHS  # noqa: E402
from .matrix_checks_dashboards import DASHBOARD_READ_PATHS  # noqa: E402
from .matrix_checks_participation_cast import CAST_READ_PATHS  # noqa: E402
from .matrix_checks_participation_count import COUNT_READ_PATHS  # noqa: E402
from .matrix_checks_participation_topics import TOPIC_READ_PATHS  # noqa: E402
from .matrix_checks_people import PEOPLE_READ_PATHS  # noqa: E402
from .matrix_checks_resources import RESOURCE_READ_PATHS, resource_places  # noqa: E402
from .matrix_checks_timebank import TIMEBANK_READ_PATHS  # noqa: E402
from .matrix_checks_volunteers import VOLUNTEER_MARKERS, VOLUNTEER_READ_PATHS  # noqa: E402

MARKERS.update(VOLUNTEER_MARKERS)
from .matrix_checks_projects import PROJECT_READ_PATHS, project_places  # noqa: E402
from .matrix_checks_services import SERVICES_READ_PATHS  # noqa: E402

# namespace:name → how to probe it. Format-suffix twins (".json") get the same probe.
READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "home": lambda p, u: _leaks(p, u()),
    "places:browse": _browse,
    "places:detail": lambda p, u: _detail(p, "places.place", lambda o: u(pk=o.pk)),
    "places:resolve": lambda p, u: _page_resolve(p, u()),
    "places:export": _export,
    "orgs:matters": lambda p, u: _leaks(p, u()),
    "orgs:matters_export": lambda p, u: _csv_export(p, "orgs.matter", u()),
    "orgs:units": lambda p, u: _leaks(p, u()),
    "orgs:responsibility": lambda p, u: _page_responsibility(p, u()),
    "dispatch:try": lambda p, u: _leaks(p, u()),
    "dispatch:decisions": lambda p, u: _decision_list(p, u()),
    "dispatch:decision": lambda p, u: _detail(p, "dispatch.dispatchdecision", lambda o: u(pk=o.pk)),
    "api:place-list": lambda p, u: _api_list(p, "places.place", u()),
    "api:place-detail": lambda p, u: _detail(p, "places.place", lambda o: u(pk=o.pk)),
    "api:place-resolve": lambda p, u: _api_resolve(p, u()),
    "api:unit-list": lambda p, u: _api_list(p, "orgs.unit", u()),
    "api:unit-detail": lambda p, u: _detail(p, "orgs.unit", lambda o: u(pk=o.pk)),
    "api:matter-list": lambda p, u: _api_list(p, "orgs.matter", u()),
    "api:matter-detail": lambda p, u: _detail(p, "orgs.matter", lambda o: u(code=o.code)),
    "api:responsibility": lambda p, u: _api_responsibility(p, u()),
    "api:me": lambda p, u: _me(p, u()),
    "accounts:grants": lambda p, u: _user_list(p, u(), "change"),
    "api:tokens": lambda p, u: _token_list(p, u()),
    "worktime:calendar": lambda p, u: _leaks(p, u()),
    "notices:inbox": lambda p, u: _inbox(p, u()),
    "accounts:grant_end": lambda p, u: _detail(p, "accounts.grant", lambda o: u(pk=o.pk), "change"),
    "cases:queues": lambda p, u: _leaks(p, u()),
    "cases:search": lambda p, u: _leaks(p, u()),
    "cases:export": lambda p, u: _xlsx_leaks(p, u()),
    "cases:case": lambda p, u: _detail(p, "cases.case", lambda o: u(pk=o.pk)),
    "cases:photo": lambda p, u: _detail(p, "cases.casephoto", lambda o: u(pk=o.pk)),
    "intake:caller": lambda p, u: _caller(p, u()),
    "api:case-list": lambda p, u: _api_case_list(p, u()),
    "api:case-detail": lambda p, u: _detail(p, "cases.case", lambda o: u(number=o.number)),
    "intake:found": lambda p, u: _leaks(p, u()),
    **PEOPLE_READ_PATHS,
    **COUNT_READ_PATHS,
    **ASSESSMENT_READ_PATHS,
    **DASHBOARD_READ_PATHS,
    **TIMEBANK_READ_PATHS,
    **RESOURCE_READ_PATHS,
    **VOLUNTEER_READ_PATHS,
    **SERVICES_READ_PATHS,
    **PROJECT_READ_PATHS,
    **CAST_READ_PATHS,
    **TOPIC_READ_PATHS,
}
