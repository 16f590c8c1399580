"""Train on one labelled file, evaluate on another, and measure the plain reference in the same run.

Defaults to the teddy2020 split (train rows → fit, test rows → evaluate). Each model is trained and
evaluated in its own process, so the peak memory reported is that model's own.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.dispatch.textmodel import measure, read_unlabelled
from linli.dispatch.training import read_labelled_csv


class Command(BaseCommand):
    help = "Train the dispatch classifier on --train, evaluate on --test, beside the plain reference."

    def add_arguments(self, parser: CommandParser) -> None:
        default = str(settings.DISPATCH_BASE_TRAINING)
        parser.add_argument("--train", default=default, help="labelled CSV; a `split` column keeps only its train rows")
        parser.add_argument("--test", default=default, help="labelled CSV; a `split` column keeps only its test rows")
        parser.add_argument("--text-cols", default="留言主题,留言详情", help="title and body columns")
        parser.add_argument("--label-col", default="一级标签")
        parser.add_argument(
            "--unlabelled",
            default=",".join(str(p) for p in settings.DISPATCH_UNLABELLED),
            help="comma-separated CSVs of unlabelled messages for the word vectors ('' for none); rows that "
            "repeat a test message are dropped",
        )
        parser.add_argument("--json", action="store_true", help="end with one JSON object on the last line")
        parser.add_argument("--no-reference", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        cols = tuple(c.strip() for c in options["text_cols"].split(","))
        if len(cols) == 1:
            cols = (cols[0], "")
        try:
            train = read_labelled_csv(
                Path(options["train"]), split="train", text_cols=cols[:2], label_col=options["label_col"]
            )  # type: ignore[arg-type]
            test = read_labelled_csv(
                Path(options["test"]), split="test", text_cols=cols[:2], label_col=options["label_col"]
            )  # type: ignore[arg-type]
        except (OSError, KeyError) as exc:
            raise CommandError(f"cannot read the labelled files: {exc}") from exc
        if not len(train) or not len(test):
            raise CommandError("no rows to train on or to test on")
        try:
            unlabelled = read_unlabelled(
                [Path(p.strip()) for p in options["unlabelled"].split(",") if p.strip()],
                exclude_titles=test.titles,
                exclude_bodies=test.bodies,
            )
        except (OSError, csv.Error) as exc:
            raise CommandError(f"cannot read the unlabelled files: {exc}") from exc
        data = ((train.titles, train.bodies, train.labels), (test.titles, test.bodies, test.labels), unlabelled)
        # A fresh interpreter per model (spawn): its peak memory is that model's own, and no thread of this
        # process is copied into it.
        context = multiprocessing.get_context("spawn")
        results: dict[str, dict[str, Any]] = {}
        for kind in ("linli", *(() if options["no_reference"] else ("reference",))):
            with context.Pool(1) as pool:
                results[kind] = pool.apply(measure, (kind, *data))
        self._print(results, len(train), len(test), len(unlabelled))
        if options["json"]:
            ours = results["linli"]
            summary = {
                "accuracy": round(ours["accuracy"], 4),
                "macro_f1": round(ours["macro_f1"], 4),
                "reference_macro_f1": round(results["reference"]["macro_f1"], 4) if "reference" in results else None,
                "reference_accuracy": round(results["reference"]["accuracy"], 4) if "reference" in results else None,
                "train_seconds": ours["train_seconds"],
                "p50_ms": round(ours["latency_ms_p50"], 2),
                "p99_ms": round(ours["latency_ms_p99"], 2),
                "peak_rss_mb": ours["peak_rss_mb"],
                "auto_share": round(ours["auto_dispatch"]["share"], 4),
                "auto_precision": round(ours["auto_dispatch"]["precision"], 4),
                "threshold": ours["auto_dispatch"]["threshold"],
            }
            self.stdout.write(json.dumps(summary, ensure_ascii=False))

    def _print(self, results: dict[str, dict[str, Any]], n_train: int, n_test: int, n_unlabelled: int) -> None:
        write = self.stdout.write
        write(
            f"train rows {n_train}, test rows {n_test}, unlabelled texts {n_unlabelled}, "
            f"python {sys.version.split()[0]}"
        )
        for kind, r in results.items():
            name = (
                "Linli classifier"
                if kind == "linli"
                else "Reference (char 1-3 TF-IDF sublinear min_df 2, LinearSVC C=0.5)"
            )
            write(f"\n== {name}")
            write(f"accuracy {r['accuracy']:.4f}   macro-F1 {r['macro_f1']:.4f}")
            write(
                f"training {r['train_seconds']:.1f} s   single prediction p50 {r['latency_ms_p50']:.2f} ms, p99 {r['latency_ms_p99']:.2f} ms   peak memory {r['peak_rss_mb']:.0f} MB"
            )
            write("per-class F1: " + ", ".join(f"{c} {f:.3f}" for c, f in r["per_class_f1"].items()))
            write("confusion matrix (rows true, columns predicted): " + " ".join(r["labels"]))
            for label, row in zip(r["labels"], r["confusion"], strict=True):
                write(f"  {label:<8} " + " ".join(f"{v:4d}" for v in row))
            if "auto_dispatch" in r:
                a = r["auto_dispatch"]
                write(
                    f"auto-dispatch at threshold {a['threshold']:.3f}: {a['share']:.1%} of messages, {a['precision']:.2%} of them correct"
                )
