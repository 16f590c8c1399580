"""Scope rules for the time bank (registered with linli.accounts.scopes, the one place).

- a person's account and its movements are read by that person (their verified phone matches the registry
  record) and by the community staff of where the person lives; community accounts by the staff of that
  community and district command above it;
- an exchange is read by its two residents and by the place readers of its community; a redemption by its
  resident and the place readers where the shelf's community or the resident lies;
- the reward shelves are price lists without personal data: every signed-in user reads them (a resident
  shops in their own community's, and may look at others'); the community's staff change its shelf;
- nothing in the ledger is changed except through linli.timebank.ledger.post, called by the actions; an
  exchange's or a redemption's state is moved by its actions under their own predicates, never through a
  generic "change" scope.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import PLACE_EDITORS, PLACE_READERS, Scope, any_of, keep, register, under_any


def account_condition(scope: Scope, user: Any, prefix: str = "") -> models.Q | None:
    """A community's own accounts by the place readers above the community; a person's account goes with the
    person (where they live now, not where it was opened) and with the person's own verified phone."""
    paths = scope.paths(PLACE_READERS)
    digest = getattr(user, "phone_digest", None)
    communal = under_any(paths, f"{prefix}community__path")
    return any_of(
        communal & ~models.Q(**{f"{prefix}kind": "person"}) if communal is not None else None,
        under_any(paths, f"{prefix}person__place__path"),
        models.Q(**{f"{prefix}person__phone_digest": digest}) if digest else None,
    )


def account_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    return keep(qs, account_condition(scope, user))


def entry_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    return keep(qs, account_condition(scope, user, "account__"))


def transfer_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    condition = account_condition(scope, user, "entries__account__")
    return keep(qs, condition).distinct() if condition is not None else qs.none()


def head_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    return qs if scope.everything and action != "change" else qs.none()


def exchange_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    digest = getattr(user, "phone_digest", None)
    return keep(
        qs,
        any_of(
            under_any(scope.paths(PLACE_READERS), "community__path"),
            models.Q(giver__phone_digest=digest) | models.Q(receiver__phone_digest=digest) if digest else None,
        ),
    )


def reward_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    if action == "change":
        return keep(qs, under_any(scope.paths(PLACE_EDITORS), "community__path"))
    # restrict() has already refused users without a grant in force.
    return qs.none() if action == "pick" else qs


def redemption_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    paths = scope.paths(PLACE_READERS)
    digest = getattr(user, "phone_digest", None)
    return keep(
        qs,
        any_of(
            under_any(paths, "reward__community__path"),
            under_any(paths, "person__place__path"),
            models.Q(person__phone_digest=digest) if digest else None,
        ),
    )


def register_rules() -> None:
    register("timebank.account", account_rule)
    register("timebank.entry", entry_rule)
    register("timebank.transfer", transfer_rule)
    register("timebank.ledgerhead", head_rule)
    register("timebank.exchange", exchange_rule)
    register("timebank.reward", reward_rule)
    register("timebank.redemption", redemption_rule)
