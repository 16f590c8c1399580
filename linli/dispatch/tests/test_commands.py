"""The dispatch commands on small real samples: evaluate, retrain (with the task), rollback, simulate."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linli.dispatch.choices import ModelStatus
from linli.dispatch.models import DispatchModel

from .conftest import sample


def write_split(path: Path, per_class_train: int, per_class_test: int) -> Path:
    train = sample("train", per_class_train)
    test = sample("test", per_class_test)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言主题", "留言详情", "一级标签", "split"])
        for split, examples in (("train", train), ("test", test)):
            for title, body, label in zip(examples.titles, examples.bodies, examples.labels, strict=True):
                writer.writerow([title, body, label, split])
    return path


@pytest.fixture
def small_split(tmp_path, train_sample):
    return write_split(tmp_path / "split.csv", 40, 10)


def test_evaluate_prints_both_models_and_ends_with_json(small_split, unlabelled_file):
    out = io.StringIO()
    call_command(
        "dispatch_evaluate",
        "--train",
        str(small_split),
        "--test",
        str(small_split),
        "--unlabelled",
        str(unlabelled_file),
        "--json",
        stdout=out,
    )
    text = out.getvalue()
    assert "Reference" in text and "confusion matrix" in text and "per-class F1" in text
    assert "unlabelled texts 0," not in text and "unlabelled texts" in text
    summary = json.loads(text.strip().splitlines()[-1])
    assert {"accuracy", "macro_f1", "reference_macro_f1", "train_seconds", "p99_ms"} <= set(summary)
    assert 0 < summary["macro_f1"] <= 1 and summary["p99_ms"] > 0


def test_evaluate_rejects_unreadable_input(tmp_path):
    with pytest.raises(CommandError):
        call_command("dispatch_evaluate", "--train", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_retrain_task_rollback_and_simulate(settings, small_split, model_dir, world):
    settings.DISPATCH_BASE_TRAINING = small_split
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    out = io.StringIO()
    call_command("dispatch_retrain", stdout=out)
    first = DispatchModel.objects.get()
    assert first.status == ModelStatus.ACTIVE and "hash slice" in first.metrics["held_out"]
    call_command("dispatch_retrain", "--enqueue", stdout=out)  # the task runs inline on this backend
    assert DispatchModel.objects.count() == 2
    second = DispatchModel.objects.get(version=2)
    if second.status == ModelStatus.ACTIVE:
        call_command("dispatch_rollback", stdout=out)
        assert DispatchModel.objects.get(status=ModelStatus.ACTIVE).version == 1
    with pytest.raises(CommandError):
        call_command("dispatch_rollback", "--to", "42")
    # No demo houses in the test world: the simulation says so instead of inventing a city.
    with pytest.raises(CommandError, match="demo city"):
        call_command("dispatch_simulate", "--limit", "5")
