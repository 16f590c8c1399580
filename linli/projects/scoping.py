"""Scope rules for project packages (registered with linli.accounts.scopes, the one place).

Who reads what:
- a project in draft is read by the place roles (grid worker, community staff, street dispatcher, district
  command) whose places hold the project's place; once published or assigned, by every user holding a grant
  in force, since an open call (揭榜) is addressed to organisations and volunteer teams wherever they are; a
  draft cancelled before it was ever published or assigned stays with the place roles (its state is no
  longer "draft", but nobody outside was ever meant to read it); a user without a grant in force reads none;
- a project is changed (create, publish, assign, choose, close, cancel) by community workers, secretaries and
  district command over its place; claimants act through the named predicates, not a change scope;
- a claim is read by the place roles over its project's place and by its own claimant while they hold a grant
  in force — another claimant never reads a rival's proposal;
- progress reports, their photos, ratings and the timeline go with the project: whoever reads the project
  reads them; nobody changes them (append-only, written by the actions).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import PLACE_EDITORS, PLACE_READERS, Scope, any_of, keep, register, under_any


def project_condition(scope: Scope, action: str, prefix: str = "") -> models.Q | None:
    if action == "change":
        return under_any(scope.paths(PLACE_EDITORS), f"{prefix}place__path")
    if scope.empty:
        return None
    # Past its draft = it was published or given to someone: a state test alone would also open a draft
    # cancelled before either, which nobody outside its place was meant to read.
    public = models.Q(**{f"{prefix}published_at__isnull": False}) | models.Q(**{f"{prefix}claimant__isnull": False})
    return any_of(under_any(scope.paths(PLACE_READERS), f"{prefix}place__path"), public)


def project_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, project_condition(scope, action))


def claim_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    roles = PLACE_EDITORS if action == "change" else PLACE_READERS
    own = models.Q(claimant_id=scope.user_id) if action != "change" and not scope.empty else None
    return keep(qs, any_of(under_any(scope.paths(roles), "project__place__path"), own))


def part_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    prefix = "report__project__" if qs.model._meta.model_name == "progressphoto" else "project__"
    return keep(qs, project_condition(scope, action, prefix))


def register_rules() -> None:
    register("projects.project", project_rule)
    register("projects.claim", claim_rule)
    for part in ("progressreport", "progressphoto", "rating", "projectevent"):
        register(f"projects.{part}", part_rule)
