import json
import math

import pytest
from hypothesis import given, strategies as st

from homework.answers import is_answer_valid, parse_answer, safe_eval
from homework.data import BenchmarkResult, DataError, Dataset, benchmark, run_benchmark_cli


@pytest.mark.parametrize("text,value", [
    ("<answer>6000</answer>", 6000), ("reasoning... <answer> 6000 </answer>", 6000),
    ("<answer>1,234.5</answer>", 1234.5), ("<answer>6000 g</answer>", 6000), ("<answer>2.5e-3</answer>", 0.0025),
    ("<answer>6 * 1000", 6000), ("<answer>4 * 3155692597.5 / 604800</answer>", 4 * 3155692597.5 / 604800),
    ("<answer>(2 + 3) ^ 2</answer>", 25), ("<answer>-4</answer>", -4), ("<answer>6 * 1000 grams</answer>", 6000),
])
def test_parse_answer_reads_numbers_and_arithmetic(text, value):
    assert parse_answer(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["6000", "<answer></answer>", "<answer>many</answer>", "<answer>9**9**9</answer>",
                                  "<answer>" + "1" * 10_000 + "</answer>", "<answer>__import__('os')</answer>"])
def test_parse_answer_gives_nan_when_there_is_no_answer(text):
    assert math.isnan(parse_answer(text))


@given(st.text(max_size=400))
def test_parse_answer_never_raises(text):
    assert isinstance(parse_answer(text), float)
    assert isinstance(parse_answer("<answer>" + text), float)


def test_answer_check_uses_five_percent_after_rounding():
    assert is_answer_valid(6010, 6000)
    assert not is_answer_valid(6400, 6000)
    assert not is_answer_valid(math.nan, 1.0)
    assert is_answer_valid(0.1049, 0.1)
    # where no answer exists (null), only no number is right
    assert is_answer_valid(math.nan, None) and not is_answer_valid(3.0, None) and not is_answer_valid(0.0, None)


def test_dataset_names_the_file_and_entry_of_bad_data(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([["ok?", 1.0], ["no answer"]]))
    with pytest.raises(DataError, match=r"bad.json: entry 1 is"):
        Dataset(str(path))
    path.write_text("{not json")
    with pytest.raises(DataError, match="bad.json: not valid JSON"):
        Dataset(str(path))
    with pytest.raises(DataError, match="no such dataset file"):
        Dataset(str(tmp_path / "missing.json"))


def test_splits_load_by_name():
    assert len(Dataset("valid")) == 1000 and len(Dataset("train")) == 6000 and len(Dataset("robust")) >= 250


class KnownAnswers:
    """A fake model that answers right for even questions and not at all for odd ones."""

    def answer(self, *questions):
        return [float(q.split()[1]) if i % 2 == 0 else math.nan for i, q in enumerate(questions)]


class Refuser:
    """A fake model that refuses every question with "liter" in it and answers 1 to the others."""

    base_name = "fake"

    def answer_with_completions(self, *questions):
        return [("x to y: cannot be converted <answer>none</answer>", math.nan) if "liter" in q
                else ("<answer>1</answer>", 1.0) for q in questions]


def test_a_row_with_no_answer_is_right_when_refused_and_refusing_an_answer_is_counted(tmp_path):
    path = tmp_path / "d.json"
    rows = [["liters in a meter", None], ["kg in a liter", None], ["m in a m", 1.0], ["liters in a liter", 1.0]]
    path.write_text(json.dumps(rows))
    result = benchmark(Refuser(), Dataset(str(path)))
    assert [s["is_correct"] for s in result.samples] == [True, True, True, False]
    assert (result.accuracy, result.refusal_accuracy, result.false_refusals) == (0.75, 1.0, 0.5)
    summary = run_benchmark_cli("sft", Refuser, str(path), None)  # the test command reports both
    assert (summary["accuracy"], summary["refused_right"], summary["false_refusals"]) == (0.75, 1.0, 0.5)
    path.write_text(json.dumps(rows[2:3]))
    assert set(run_benchmark_cli("sft", Refuser, str(path), None)) == {  # nothing refused: the usual keys
        "model", "base", "accuracy", "answer_rate", "n", "seconds"}
    path.write_text(json.dumps([["q", float("nan")]]).replace("NaN", "\"none\""))
    with pytest.raises(DataError, match=r"entry 0 is .* finite numeric answer \(null: no answer exists\)"):
        Dataset(str(path))


def test_benchmark_scores_accuracy_and_answer_rate(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([[f"q {i}", float(i)] for i in range(1, 11)]))
    result = benchmark(KnownAnswers(), Dataset(str(path)), max_question=8)
    assert isinstance(result, BenchmarkResult)
    assert (result.accuracy, result.answer_rate, len(result.samples)) == (0.5, 0.5, 8)


@pytest.mark.parametrize("text,value", [("6 * 1000", 6000), ("4 * 3155692597.5 / 604800", 4 * 3155692597.5 / 604800),
                                        ("(1 + 2) ^ 2", 9), ("-3 * 2", -6), ("2 ** 10", 1024), ("1e3 / 4", 250)])
def test_safe_eval_evaluates_arithmetic(text, value):
    assert safe_eval(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["9**9**9", "1" * 10_000, "__import__('os')", "x + 1", "[1, 2]", "1 / 0",
                                  "10 ** 400", "2 ** 101", "", "2 +", "lambda: 1", "(" * 300 + "1" + ")" * 300])
def test_safe_eval_refuses_everything_else_with_nan(text):
    assert math.isnan(safe_eval(text))


@given(st.text(max_size=300))
def test_safe_eval_never_raises(text):
    result = safe_eval(text)
    assert isinstance(result, float)
