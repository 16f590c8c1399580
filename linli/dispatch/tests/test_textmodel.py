"""The dispatch text model on its own: no database, a small real sample of train rows."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from django.conf import settings

from linli.core.datafiles import open_text
from linli.dispatch.textmodel import (
    ReferenceClassifier,
    TextClassifier,
    WordEmbedding,
    _words,
    choose_threshold,
    evaluate,
    normalize_text,
    read_unlabelled,
    threshold_report,
)

DATA = Path(settings.DISPATCH_BASE_TRAINING)
PER_CLASS = 40


def _rows(split: str, per_class: int, offset: int = 0) -> tuple[list[str], list[str], list[str]]:
    taken: dict[str, int] = {}
    titles, bodies, labels = [], [], []
    with open_text(DATA) as handle:
        for row in csv.DictReader(handle):
            if row["split"] != split:
                continue
            seen = taken.get(row["一级标签"], 0)
            taken[row["一级标签"]] = seen + 1
            if offset <= seen < offset + per_class:
                titles.append(row["留言主题"] or "")
                bodies.append(row["留言详情"] or "")
                labels.append(row["一级标签"])
    return titles, bodies, labels


@pytest.fixture(scope="module")
def sample() -> tuple[list[str], list[str], list[str]]:
    return _rows("train", PER_CLASS)


@pytest.fixture(scope="module")
def model(sample: tuple[list[str], list[str], list[str]]) -> TextClassifier:
    return TextClassifier().fit(*sample)


ODD_INPUTS = {
    "empty": ("", ""),
    "title only": ("小区垃圾清运不及时", ""),
    "body only": ("", "楼下餐馆油烟很大，晚上还很吵"),
    "very long": ("投诉", "施工噪音扰民，" * 3000),
    "traditional": ("學校收費不合理", "請教育局調查這所學校亂收費的問題"),
    "pinyin": ("xiaoqu tingche nan", "women xiaoqu tingchewei tai shao le"),
    "english": ("Noise complaint", "The construction site works all night, please help."),
    "emoji": ("😡😡😡", "垃圾🗑️堆了一个星期没人管👎"),
    "digits only": ("12345", "13800138000 2020 0731"),
    "html": ("<b>医保</b>报销", "<p>医保&nbsp;报销&amp;流程太慢</p><script>alert(1)</script>"),
    "whitespace": ("   ", "\n\t \u3000 "),
    "control chars": ("\x00\x07标题", "\u200b\ufeff正文\x1b"),
    "none values": (None, None),
}


def test_normalize_text_cleans_and_caps() -> None:
    assert normalize_text("<p>A&amp;B</p>  学校 收费") == "A&B学校收费"
    assert normalize_text("學校") == "学校" or normalize_text("學校") == "學校"  # zhconv is optional
    assert normalize_text("hello   world") == "hello world"
    assert normalize_text("ＫＴＶ噪音") == "KTV噪音"
    assert normalize_text("<script>x()</script>正文") == "正文"
    assert len(normalize_text("字" * 20000)) == 3000
    assert normalize_text(None) == "" and normalize_text("") == ""


def test_probabilities_are_a_distribution(
    model: TextClassifier, sample: tuple[list[str], list[str], list[str]]
) -> None:
    assert model.classes_ == sorted(set(sample[2]))
    proba = model.predict_proba(sample[0][0], sample[1][0])
    assert set(proba) == set(model.classes_)
    assert sum(proba.values()) == pytest.approx(1.0)
    batch = model.predict_proba_batch(sample[0][:20], sample[1][:20])
    assert batch.shape == (20, len(model.classes_))
    assert np.allclose(batch.sum(axis=1), 1.0)
    assert batch.min() >= 0.0


def test_learns_something(model: TextClassifier) -> None:
    # Unseen train rows from the same classes: far above the 1/7 chance level even with 40 per class.
    titles, bodies, labels = _rows("train", 10, offset=PER_CLASS)
    result = evaluate(model, titles, bodies, labels, latency_samples=20)
    assert result["accuracy"] > 0.5
    assert len(result["confusion"]) == len(result["labels"])
    assert result["latency_ms_p99"] < 200


@pytest.mark.parametrize("case", sorted(ODD_INPUTS))
def test_odd_inputs_still_decide(model: TextClassifier, case: str) -> None:
    title, body = ODD_INPUTS[case]
    started = time.perf_counter()
    proba = model.predict_proba(title, body)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 1.0
    assert set(proba) == set(model.classes_)
    assert sum(proba.values()) == pytest.approx(1.0)
    assert all(np.isfinite(v) for v in proba.values())
    assert isinstance(model.explain(title, body, model.classes_[0]), list)  # type: ignore[arg-type]


def test_explain_returns_readable_terms(model: TextClassifier) -> None:
    title, body = "小学乱收费", "孩子所在的小学要求家长缴纳补课费和资料费，学校乱收费问题严重"
    label = max(model.predict_proba(title, body).items(), key=lambda kv: kv[1])[0]
    terms = model.explain(title, body, label, top=5)
    assert 0 < len(terms) <= 5
    assert all(isinstance(term, str) and term and weight > 0 for term, weight in terms)
    assert all(term in normalize_text(title) + normalize_text(body) for term, _ in terms)
    assert model.explain(title, body, "no such class") == []


def test_save_load_round_trip(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    model.save(path)
    loaded = TextClassifier.load(path)
    assert loaded.classes_ == model.classes_
    assert loaded.params == model.params
    assert loaded.metadata["train_size"] == PER_CLASS * 7
    a = model.predict_proba("道路积水严重", "下雨后路面积水，车辆无法通行")
    b = loaded.predict_proba("道路积水严重", "下雨后路面积水，车辆无法通行")
    assert a == pytest.approx(b)
    assert loaded.explain("道路积水严重", "", loaded.classes_[0]) == model.explain(
        "道路积水严重", "", model.classes_[0]
    )


def test_load_rejects_other_files(tmp_path: Path) -> None:
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"format_version": 999, "kind": "TextClassifier", "model": None}, path)
    with pytest.raises(ValueError):
        TextClassifier.load(path)


def test_tiny_and_single_class_training_does_not_crash() -> None:
    tiny = TextClassifier().fit(["噪音", "油烟", "学校", "招生"], ["", "", "", ""], ["环保", "环保", "教育", "教育"])
    assert sum(tiny.predict_proba("噪音", "").values()) == pytest.approx(1.0)
    one = TextClassifier().fit(["a", "b"], ["", ""], ["x", "x"])
    assert one.predict_proba("", "") == {"x": 1.0}
    assert TextClassifier().fit([""], [""], ["x"]).predict_proba("什么", "") == {"x": 1.0}


def test_word_vectors_learn_from_unlabelled_text(unlabelled_file: Path) -> None:
    texts = read_unlabelled([unlabelled_file])
    embedding = WordEmbedding.train(WordEmbedding.tokenize(texts), dim=32, epochs=3, min_count=2)
    assert embedding is not None and len(embedding.vocab) > 500
    vectors = embedding.transform(["小区物业乱收费", "", "😡😡"])
    assert vectors.shape == (3, 32)
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-3)
    assert not vectors[1].any() and not vectors[2].any()  # nothing known: a zero vector, never NaN
    assert WordEmbedding.train(WordEmbedding.tokenize(["孤零零的一句话"]), dim=8, epochs=1, min_count=3) is None


def test_unlabelled_text_reaches_the_word_vectors_only(
    sample: tuple[list[str], list[str], list[str]], model: TextClassifier, unlabelled_file: Path
) -> None:
    texts = read_unlabelled([unlabelled_file])
    richer = TextClassifier().fit(*sample, unlabelled=texts)
    assert richer.metadata["unlabelled_texts"] == len(texts) > 150  # messages and their replies
    assert richer.metadata["embedding_words"] > model.metadata["embedding_words"] > 0
    # The sparse vocabulary is learnt from labelled rows alone; only the dense block grows.
    assert richer.metadata["n_features"] == model.metadata["n_features"]
    plain = TextClassifier(embedding_weight=0).fit(*sample, unlabelled=texts)
    assert plain.metadata["embedding_words"] == 0 and plain.metadata["unlabelled_texts"] == 0
    assert plain.metadata["n_features"] == model.metadata["n_features"] - int(model.params["embedding_dim"])


def test_one_thread_word_vectors_make_a_fit_repeatable(
    sample: tuple[list[str], list[str], list[str]], unlabelled_file: Path
) -> None:
    texts = read_unlabelled([unlabelled_file])
    fits = [TextClassifier(embedding_workers=1, calibration="none").fit(*sample, unlabelled=texts) for _ in range(2)]
    a, b = (m.predict_proba_batch(sample[0][:50], sample[1][:50]) for m in fits)
    assert np.array_equal(a, b)
    assert np.array_equal(fits[0]._embedding.weighted, fits[1]._embedding.weighted)  # type: ignore[union-attr]


def test_reference_classifier(sample: tuple[list[str], list[str], list[str]]) -> None:
    ref = ReferenceClassifier().fit(*sample)
    proba = ref.predict_proba_batch(sample[0][:5], sample[1][:5])
    assert proba.shape == (5, 7) and np.allclose(proba.sum(axis=1), 1.0)


def test_choose_threshold() -> None:
    rng = np.random.default_rng(0)
    classes = ["a", "b"]
    conf = rng.uniform(0.5, 1.0, 2000)
    correct = rng.uniform(size=2000) < conf  # calibrated by construction
    labels = ["a" if c else "b" for c in correct]
    proba = np.column_stack([conf, 1 - conf])
    # A one-sided 95% bound: this small synthetic sample is too thin at the top for the shipped 97.5% one.
    threshold = choose_threshold(proba, labels, classes, 0.97, z=1.645)
    report = threshold_report(proba, labels, classes, threshold)
    assert 0.9 < threshold < 1.0
    assert report["precision"] >= 0.97 and 0 < report["share"] < 0.3
    # Nothing reaches the target: never dispatch automatically.
    assert choose_threshold(np.full((100, 2), 0.5), ["b"] * 100, classes, 0.97) > 1.0


def test_choose_threshold_promises_a_whole_batch_so_a_smaller_one_or_less_evidence_needs_a_higher_cut() -> None:
    rng = np.random.default_rng(2)
    classes = ["a", "b"]
    conf = 0.5 + 0.5 * rng.beta(8, 1, 6000)
    correct = rng.uniform(size=6000) < conf
    labels = ["a" if c else "b" for c in correct]
    proba = np.column_stack([conf, 1 - conf])
    big, usual, small = (choose_threshold(proba, labels, classes, 0.97, batch=b) for b in (100_000, 1000, 200))
    assert big < usual < small < 1.0
    # Less evidence: the same messages, a sixth of them, widen the bound too.
    assert choose_threshold(proba[:1000], labels[:1000], classes, 0.97) > usual
    # Simulated fresh batches of 1,000 auto-dispatched messages at the chosen cut: almost all reach 97%.
    above = conf[conf >= usual]
    batches = rng.choice(above, size=(400, 1000)) > rng.uniform(size=(400, 1000))
    assert np.mean(batches.mean(axis=1) >= 0.97) >= 0.9


def test_choose_threshold_with_folds_needs_every_fold_to_reach_the_target() -> None:
    rng = np.random.default_rng(1)
    classes = ["a", "b"]
    conf = 0.5 + 0.5 * rng.beta(8, 1, 3000)
    folds = np.arange(3000) % 5
    # Fold 4 is worse than its confidence says, the rest exactly as calibrated.
    correct = rng.uniform(size=3000) < np.where(folds == 4, conf - 0.03, conf)
    labels = ["a" if c else "b" for c in correct]
    proba = np.column_stack([conf, 1 - conf])
    pooled = choose_threshold(proba, labels, classes, 0.97)
    strict = choose_threshold(proba, labels, classes, 0.97, folds=folds)
    assert 0.97 < pooled < strict < 1.0
    above = proba.max(axis=1) >= strict
    for f in range(5):
        mine = above & (folds == f)
        assert np.mean(np.asarray(correct)[mine]) >= 0.97


def test_word_vectors_read_the_opening_of_a_long_message_the_same_way_at_fit_and_prediction(
    sample: tuple[list[str], list[str], list[str]],
) -> None:
    model = TextClassifier(calibration="none")
    cap = int(model.params["embedding_max_chars"])
    texts = model._prepare(sample[0], sample[1])
    long_rows = [i for i, text in enumerate(texts["all"]) if len(text) > cap]
    assert long_rows, "the sample needs messages longer than the cap for this test to mean anything"
    fitted = model._features(texts, fit=True).toarray()
    predicted = model._features(texts).toarray()
    dim = int(model.params["embedding_dim"])
    # Every row, long ones included, gets the same word-vector block when fitting as when predicting.
    assert np.allclose(fitted[:, -dim:], predicted[:, -dim:], atol=1e-3)
    assert np.abs(predicted[long_rows, -dim:]).sum() > 0

    # Past the cap only the n-grams see a different tail; the word-vector block stays put.
    i = long_rows[0]
    title, body = sample[0][i], sample[1][i]
    other_tail = body[: cap + 50] + "学校食堂饭菜不卫生，家长强烈要求教育局调查处理。" * 20
    a, b = model._features(model._prepare([title, title], [body, other_tail])).toarray()
    assert np.allclose(a[-dim:], b[-dim:]) and not np.allclose(a[:-dim], b[:-dim])


def test_a_loaded_model_has_its_segmenter_ready(sample: tuple[list[str], list[str], list[str]], tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "m.joblib"
    TextClassifier(calibration="none", segmenter="jieba").fit(*sample).save(path)
    # A fresh interpreter: in this one an earlier test may already have loaded jieba's dictionary.
    check = (
        "import sys, jieba; from linli.dispatch.textmodel import TextClassifier; "
        "assert not jieba.dt.initialized; TextClassifier.load(sys.argv[1]); print(jieba.dt.initialized)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and a path this test wrote
        [sys.executable, "-c", check, str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"


def test_a_model_keeps_the_segmenter_it_was_trained_with(
    sample: tuple[list[str], list[str], list[str]], tmp_path: Path
) -> None:
    import rjieba

    # The two bindings split runs of digits and punctuation differently; a model's word vectors are keyed by
    # its own segmenter's words, so swapping the segmenter under a saved model would change its answers.
    text = "投诉80-90号楼噪音"
    assert _words(text, "jieba") != rjieba.cut(text)
    fast = TextClassifier(segmenter="rjieba", calibration="none").fit(*sample)
    path = tmp_path / "fast.joblib"
    fast.save(path)
    loaded = TextClassifier.load(path)
    assert loaded.params["segmenter"] == "rjieba"
    assert loaded._embedding_words([text], None) == [rjieba.cut(text)]
    assert loaded.predict_proba(sample[0][0], sample[1][0]) == pytest.approx(
        fast.predict_proba(sample[0][0], sample[1][0])
    )
    # A model saved before the parameter existed was trained with jieba and goes on reading with it.
    del loaded.params["segmenter"]
    assert loaded._embedding_words([text], None) == [_words(text, "jieba")]
    with pytest.raises(ValueError, match="unknown segmenter"):
        TextClassifier(segmenter="thulac")


def test_chi_squared_term_selection_keeps_fit_and_prediction_features_identical(
    sample: tuple[list[str], list[str], list[str]], tmp_path: Path
) -> None:
    titles, bodies, labels = sample
    full = TextClassifier(embedding_weight=0.0, calibration="none").fit(titles, bodies, labels)
    cut = TextClassifier(embedding_weight=0.0, calibration="none", all_max_terms=500, title_max_terms=100)
    cut.fit(titles, bodies, labels)
    assert len(full._vectorizers["all"].vocabulary_) > 500
    # Each class's best terms are taken in turn, so the last turn may pass the budget by a class or so.
    n_classes = len(set(labels))
    n_all, n_title = len(cut._vectorizers["all"].vocabulary_), len(cut._vectorizers["title"].vocabulary_)
    assert 500 <= n_all < 500 + n_classes and 100 <= n_title < 100 + n_classes
    assert cut.metadata["n_features"] == n_all + n_title
    # The terms kept are the class-laden ones, not the everyday characters every message has.
    kept = set(cut._vectorizers["all"].vocabulary_)
    assert "的" not in kept and kept <= set(full._vectorizers["all"].vocabulary_)
    # Rows built at fit time (by the refitted, shrunk vectorizers) equal what they make at prediction.
    texts = cut._prepare(titles, bodies)
    at_fit = TextClassifier(embedding_weight=0.0, all_max_terms=500, title_max_terms=100)._features(
        texts, fit=True, labels=np.asarray(labels)
    )
    at_prediction = cut._features(texts)
    assert np.allclose(at_fit.toarray(), at_prediction.toarray(), atol=1e-6)
    assert np.allclose(np.linalg.norm(at_prediction[:, :n_all].toarray(), axis=1), 1.0, atol=1e-5)
    # Still explainable and persistable.
    label = cut.predict(titles[0], bodies[0])
    assert cut.explain(titles[0], bodies[0], label)
    cut.save(tmp_path / "cut.joblib")
    again = TextClassifier.load(tmp_path / "cut.joblib")
    assert again.predict_proba(titles[0], bodies[0]) == pytest.approx(cut.predict_proba(titles[0], bodies[0]))


def test_every_class_gets_its_own_best_terms() -> None:
    from sklearn.feature_selection import chi2

    from linli.dispatch.textmodel import best_terms_per_class

    # Terms 0 and 3 mark the big class, 2 and 4 the other one, term 1 (weakly) the small one. Pooled over
    # the classes, chi-squared spends a budget of three on the big classes' markers; per class, the small
    # class's marker is kept.
    rng = np.random.default_rng(0)
    labels = np.array(["big"] * 90 + ["small"] * 10 + ["other"] * 60)
    x = rng.random((160, 6)) * 0.1
    x[:90, [0, 3]] += [1.0, 0.8]
    x[90:100, 1] += 0.3
    x[100:, [2, 4]] += 0.8
    assert 1 not in np.argsort(-chi2(x, labels)[0])[:3]
    assert set(best_terms_per_class(sp.csr_matrix(x), labels, 3)) == {0, 1, 2}


def test_term_selection_is_skipped_when_there_are_fewer_terms_or_one_class() -> None:
    one_class = TextClassifier(embedding_weight=0.0, all_max_terms=5).fit(
        ["噪音扰民"] * 3, ["晚上施工"] * 3, ["环境保护"] * 3
    )
    assert one_class.predict("噪音", "") == "环境保护"
    few = TextClassifier(embedding_weight=0.0, all_max_terms=10_000, calibration="none")
    few.fit(["噪音", "学校", "医保"], ["施工", "收费", "报销"], ["环境保护", "教育文体", "劳动和社会保障"])
    assert len(few._vectorizers["all"].vocabulary_) < 10_000
