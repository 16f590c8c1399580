"""Every write of the dispatch app: decisions, corrections, model training, promotion and rollback."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_correct_decision, can_manage_models
from linli.core import audit
from linli.core.choices import AuditAction
from linli.orgs.choices import MatterClass
from linli.orgs.directory import may_assign
from linli.orgs.models import Matter, Unit

from . import registry
from .choices import ExampleSource, ModelStatus
from .engine import Decision
from .models import DispatchDecision, DispatchModel, TrainingExample
from .textmodel import (
    THRESHOLD_BATCH,
    THRESHOLD_Z,
    ModelRefused,
    TextClassifier,
    choose_threshold,
    evaluate,
    threshold_report,
)
from .training import HELD_OUT_PARTS, Examples, split_for_retraining, unlabelled_texts

logger = logging.getLogger(__name__)

TARGET_PRECISION = 0.97
# Below this many held-out rows a chosen threshold would mostly measure luck; keep the configured one.
MIN_HELD_OUT_FOR_THRESHOLD = 200


@transaction.atomic
def record_decision(
    actor: Any,
    decision: Decision,
    *,
    title: str,
    body: str,
    address: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    case_ref: str = "",
    audit_it: bool = True,
) -> DispatchDecision:
    """Store a decision with its inputs, model version, probabilities and reasons. The case workflow passes
    `audit_it=False`: its own timeline records the decision, and the global chain must not serialise intake."""
    stored = DispatchDecision.objects.create(
        requested_by=actor if getattr(actor, "pk", None) else None,
        case_ref=case_ref,
        channel=decision.reasons.get("channel", "web"),
        title=title[:20000],
        body=body[:20000],
        address=address[:300],
        longitude=longitude,
        latitude=latitude,
        model=decision.model,
        place=decision.place,
        category=decision.category,
        matter=decision.matter,
        unit=decision.unit,
        confidence=decision.confidence,
        threshold=decision.threshold,
        mode=decision.mode,
        probabilities=decision.probabilities,
        reasons=decision.reasons,
        suggestions=decision.suggestions_json(),
    )
    if not audit_it:
        return stored
    audit.record(
        AuditAction.DISPATCH_DECIDED,
        actor=actor,
        target=stored,
        data={
            "mode": decision.mode,
            "category": decision.category,
            "unit": decision.unit.pk if decision.unit else None,
            "model": decision.model_version,
        },
    )
    return stored


@transaction.atomic
def record_correction(
    actor: Any, decision: DispatchDecision, *, matter: Matter | None, unit: Unit, category: str = "", reason: str = ""
) -> DispatchDecision:
    """A person's final matter and unit for a decision; the text becomes a training example."""
    if not can_correct_decision(actor, decision):
        raise PermissionDenied(_("You may not correct this dispatch"))
    decision = DispatchDecision.objects.select_for_update().get(pk=decision.pk)
    # Routing asks the directory, not the reading scope: a street may send work to a district department.
    if not may_assign(actor, unit, place=decision.place):
        raise ValidationError(_("You may not send work to this unit"))
    final_category = matter.category if matter is not None else category
    if final_category not in MatterClass.values:
        raise ValidationError(_("Name the matter, or at least its class"))
    before = {
        "matter": decision.final_matter_id or decision.matter_id,
        "unit": decision.final_unit_id or decision.unit_id,
        "category": decision.final_category or decision.category,
    }
    decision.final_matter = matter
    decision.final_unit = unit
    decision.final_category = final_category
    decision.corrected_by = actor
    decision.corrected_at = timezone.now()
    decision.save(update_fields=["final_matter", "final_unit", "final_category", "corrected_by", "corrected_at"])
    source = ExampleSource.CONFIRMED if final_category == decision.category else ExampleSource.CORRECTION
    TrainingExample.objects.update_or_create(
        decision=decision,
        defaults={
            "title": decision.title,
            "body": decision.body,
            "label": final_category,
            "matter": matter,
            "source": source,
        },
    )
    audit.record(
        AuditAction.DISPATCH_CORRECTED,
        actor=actor,
        target=decision,
        data={
            "before": before,
            "after": {"matter": matter.pk if matter else None, "unit": unit.pk, "category": final_category},
            "reason": reason,
        },
    )
    return decision


def train_candidate(
    actor: Any = None,
    *,
    train: Examples | None = None,
    held_out: Examples | None = None,
    note: str = "",
    fit: Callable[[Examples], TextClassifier] | None = None,
) -> DispatchModel:
    """Fit a model, judge it and the active one on the same held-out slice, promote it if not worse.

    A promoted model is fitted once more on the training rows and the held-out slice together, with the
    threshold chosen on the slice, and that refit is what serves: otherwise the newest corrections, which are
    the held-out slice, would never reach the model until the next retrain.

    `fit` replaces the fitting step (a caller that already holds a fitted model, e.g. the tests)."""
    if actor is not None and not can_manage_models(actor):
        raise PermissionDenied(_("You may not retrain the dispatch model"))
    if train is None or held_out is None:
        train, held_out, note = split_for_retraining()
    if len(train) < 50 or len(set(train.labels)) < 2:
        raise ValidationError(_("Not enough training data to train a model"))
    started = time.perf_counter()
    # Held-out messages are kept out of the word vectors too, so the comparison below stays fair.
    classifier = _fit(train, held_out, fit)
    seconds = time.perf_counter() - started
    metrics: dict[str, Any] = {"train_seconds": round(seconds, 1), "held_out": note, "held_out_size": len(held_out)}
    threshold = float(classifier.params.get("threshold", 0.9))
    if len(held_out):
        threshold = _judge(classifier, held_out, metrics, threshold)
    # The incumbent is judged before the refit so that a candidate that loses costs one fit, not two; it
    # is judged again under the lock below only if the active model changed meanwhile (another retrain, a
    # rollback).
    compared = DispatchModel.objects.filter(status=ModelStatus.ACTIVE).first()
    incumbent_f1 = _incumbent_macro_f1(compared, held_out)
    train_size = len(train)
    if len(held_out) and (incumbent_f1 is None or incumbent_f1 <= metrics.get("macro_f1", 0.0)):
        del classifier  # two models at once would double the retrain's peak memory
        started = time.perf_counter()
        everything = Examples(
            [*train.titles, *held_out.titles], [*train.bodies, *held_out.bodies], [*train.labels, *held_out.labels]
        )
        classifier = _fit(everything, Examples([], [], []), fit)
        train_size = len(everything)
        metrics["refit"] = {"rows": train_size, "seconds": round(time.perf_counter() - started, 1)}
    version = (DispatchModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    filename = f"dispatch-v{version}.joblib"
    classifier.save(registry.model_dir() / filename)
    with transaction.atomic():
        row = DispatchModel.objects.create(
            version=version,
            file=filename,
            threshold=threshold,
            metrics=metrics,
            params=dict(classifier.params),
            train_size=train_size,
        )
        active = DispatchModel.objects.select_for_update().filter(status=ModelStatus.ACTIVE).first()
        if active is None or compared is None or active.pk != compared.pk:
            incumbent_f1 = _incumbent_macro_f1(active, held_out)
        verdict = "promoted"
        if incumbent_f1 is not None:
            metrics["active_macro_f1"] = incumbent_f1
            if incumbent_f1 > metrics.get("macro_f1", 0.0):
                verdict = "rejected"
        row.metrics = metrics
        row.save(update_fields=["metrics"])
        if verdict == "promoted":
            _activate(actor, row, reason="retrained, not worse than the active model")
        else:
            row.status = ModelStatus.REJECTED
            row.save(update_fields=["status"])
    return row


def _fit(examples: Examples, exclude: Examples, fit: Callable[[Examples], TextClassifier] | None) -> TextClassifier:
    if fit is not None:
        return fit(examples)
    unlabelled = unlabelled_texts(exclude=exclude)
    return TextClassifier().fit(examples.titles, examples.bodies, examples.labels, unlabelled=unlabelled)


def _judge(classifier: TextClassifier, held_out: Examples, metrics: dict[str, Any], threshold: float) -> float:
    """Score the candidate on the held-out slice into `metrics`; return the auto-dispatch threshold (the
    configured `threshold` where the slice is too small to choose one)."""
    proba = classifier.predict_proba_batch(held_out.titles, held_out.bodies)
    # Judging needs no latency figures: timing 300 single predictions here would only slow the retrain.
    result = evaluate(classifier, held_out.titles, held_out.bodies, held_out.labels, latency_samples=0, proba=proba)
    metrics.update({k: result[k] for k in ("accuracy", "macro_f1") if k in result})
    if len(held_out) >= MIN_HELD_OUT_FOR_THRESHOLD:
        threshold = float(
            choose_threshold(
                proba,
                held_out.labels,
                classifier.classes_,
                TARGET_PRECISION,
                folds=held_out.part_of_each(),
            )
        )
        metrics["threshold_rule"] = (
            f"held-out: a batch of {THRESHOLD_BATCH:,} >= {TARGET_PRECISION:.0%} right"
            f" ({NormalDist().cdf(THRESHOLD_Z):.1%} prediction bound),"
            f" each of {HELD_OUT_PARTS} parts too"
        )
    else:
        metrics["threshold_rule"] = "held-out slice too small: the configured default"
    report = threshold_report(proba, held_out.labels, classifier.classes_, threshold)
    # JSON has no NaN (PostgreSQL's jsonb refuses it): "nothing above the threshold" is stored as null.
    metrics["auto_dispatch"] = {k: (None if math.isnan(v) else v) for k, v in report.items()}
    return threshold


def _incumbent_macro_f1(active: DispatchModel | None, held_out: Examples) -> float | None:
    if active is None or not len(held_out):
        return None
    try:
        incumbent = registry.load(active)
    except ModelRefused as exc:
        # The candidate being trained is the retrain a refusal asks for: it need not ask for another.
        refuse_model(active, str(exc), retrain=False)
        return None
    result = evaluate(incumbent, held_out.titles, held_out.bodies, held_out.labels, latency_samples=0)
    return float(result["macro_f1"])


def refuse_model(row: DispatchModel, reason: str, *, retrain: bool = True) -> bool:
    """Take a model out of service because this process may not load its file (other library versions wrote
    it), say why on the model, and, if it was the one serving, ask the task worker for a retrain.

    The system acts here, not a person, so there is no permission to check. False when another process had
    already refused it."""
    with transaction.atomic():
        locked = DispatchModel.objects.select_for_update().filter(pk=row.pk).first()
        if locked is None or locked.status == ModelStatus.REFUSED:
            return False
        was = locked.status
        locked.status = ModelStatus.REFUSED
        locked.refusal = reason
        locked.save(update_fields=["status", "refusal"])
        audit.record(
            AuditAction.DISPATCH_MODEL_REFUSED,
            actor=None,
            target=locked,
            data={"version": locked.version, "was": was, "reason": reason, "retrain": retrain},
        )
        transaction.on_commit(registry.forget)
        if retrain and was == ModelStatus.ACTIVE:
            transaction.on_commit(_request_retrain)
    logger.warning("dispatch model v%s refused: %s%s", row.version, reason, "; retrain requested" if retrain else "")
    return True


def _request_retrain() -> None:
    from .tasks import retrain_dispatch_model

    retrain_dispatch_model.enqueue()


def _activate(actor: Any, row: DispatchModel, reason: str) -> None:
    previous = list(DispatchModel.objects.select_for_update().filter(status=ModelStatus.ACTIVE).exclude(pk=row.pk))
    DispatchModel.objects.filter(pk__in=[p.pk for p in previous]).update(status=ModelStatus.RETIRED)
    row.status = ModelStatus.ACTIVE
    row.promoted_at = timezone.now()
    row.save(update_fields=["status", "promoted_at"])
    audit.record(
        AuditAction.DISPATCH_MODEL_PROMOTED,
        actor=actor,
        target=row,
        data={
            "version": row.version,
            "previous": [p.version for p in previous],
            "reason": reason,
            "metrics": row.metrics,
        },
    )
    transaction.on_commit(registry.forget)


@transaction.atomic
def rollback(actor: Any = None, to_version: int | None = None) -> DispatchModel:
    """Serve an earlier model again: the given version, or the one active before the current one."""
    if actor is not None and not can_manage_models(actor):
        raise PermissionDenied(_("You may not change the dispatch model"))
    current = DispatchModel.objects.select_for_update().filter(status=ModelStatus.ACTIVE).first()
    if to_version is not None:
        target = DispatchModel.objects.filter(version=to_version).first()
        if target is None:
            raise ValidationError(_("No model version %(v)s") % {"v": to_version})
    else:
        earlier = DispatchModel.objects.filter(status=ModelStatus.RETIRED, promoted_at__isnull=False)
        if current is not None:
            earlier = earlier.filter(version__lt=current.version)
        target = earlier.order_by("-promoted_at").first()
        if target is None:
            raise ValidationError(_("There is no earlier model to roll back to"))
    if not (registry.model_dir() / target.file).exists():
        raise ValidationError(_("The file of model version %(v)s is missing") % {"v": target.version})
    try:
        TextClassifier.check_file(registry.model_dir() / target.file)
    except ModelRefused as exc:
        raise ValidationError(
            _("Model version %(v)s was written by other library versions and cannot be served: %(why)s")
            % {"v": target.version, "why": exc}
        ) from exc
    _activate(actor, target, reason="rollback")
    audit.record(
        AuditAction.DISPATCH_MODEL_ROLLED_BACK,
        actor=actor,
        target=target,
        data={"from": current.version if current else None},
    )
    return target
