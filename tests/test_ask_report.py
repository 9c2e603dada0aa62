"""The user tools: ask, saved samples and the report."""

import io
import json
import math

import pytest
import torch

from homework import ask, data, report


def test_ask_prints_the_completion_then_the_number(monkeypatch, capsys):
    monkeypatch.setattr(ask, "build_model", lambda model, adapter_dir: FakeModel())
    assert ask.main(["How many g in 6 kg?"]) == 0
    assert capsys.readouterr().out.splitlines() == ["<answer>6 * 1000</answer>", "6000"]
    assert ask.main(["What is love?"]) == 0
    assert capsys.readouterr().out.splitlines() == ["no idea", "nan"]
    assert ask.main(["How many liters are in a meter?"]) == 0  # a refusal: its sentence, then no number
    assert capsys.readouterr().out.splitlines() == ["liter (volume) to meter (length): cannot be converted", "nan"]


def test_ask_runs_a_trained_adapter_end_to_end(trained_adapter, capsys):
    assert ask.main(["How many g in 6 kg?", "--model", "sft", "--adapter_dir", str(trained_adapter)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "nan" or math.isfinite(float(last))  # a random tiny model may write no answer


def test_ask_model_cot_answers_with_the_cot_prompt_and_refuses_an_adapter(monkeypatch, tiny_model_dir, capsys):
    import torch

    from homework import cot

    built = []
    monkeypatch.setattr(cot, "load", lambda: built.append(cot.CoTModel(str(tiny_model_dir), device="cpu",
                                                                       dtype=torch.float32)) or built[-1])
    assert ask.main(["How many g in 6 kg?", "--model", "cot"]) == 0
    assert len(built) == 1 and cot.INSTRUCTIONS in built[0].format_prompt("x")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "nan" or math.isfinite(float(last))
    assert ask.main(["How many g in 6 kg?", "--model", "cot", "--adapter_dir", "somewhere"]) == 2
    assert "--adapter_dir does not apply to --model cot" in capsys.readouterr().err


def test_ask_answers_several_questions_and_stdin_in_one_call(trained_adapter, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("2 h in min\n\n3 m in cm\n"))
    assert ask.main(["How many g in 6 kg?", "-", "--model", "rft", "--adapter_dir", str(trained_adapter)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    values = json.loads(lines[-1])
    assert len(values) == 3 and all(v is None or isinstance(v, float) for v in values)
    assert [line.split("\t")[0] for line in lines[:-1] if "\t" in line][:3] == [
        "How many g in 6 kg?", "2 h in min", "3 m in cm"]


def test_ask_with_a_folder_without_adapter_says_so_and_exits_2(tmp_path, capsys):
    assert ask.main(["How many g in 6 kg?", "--model", "sft", "--adapter_dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"ask: --adapter_dir {tmp_path}: no trained adapter there (adapter_config.json is missing)"


class FakeModel:
    base_name = "fake"

    def answer_with_completions(self, *questions):
        refusal = " liter (volume) to meter (length): cannot be converted <answer>none</answer>"
        return [("<answer>6 * 1000</answer>", 6000.0) if "kg" in q else (refusal, math.nan) if "liter" in q
                else ("no idea", math.nan) for q in questions]


def test_saved_samples_hold_completion_value_verdict_and_units(tmp_path, capsys):
    rows = [["How many g in 6 kg?", 6000.0], ["Convert 2 h to min", 120.0]]
    dataset = tmp_path / "d.json"
    dataset.write_text(json.dumps(rows))
    samples = tmp_path / "s.jsonl"
    data.run_benchmark_cli("sft", FakeModel, str(dataset), None, str(samples))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["accuracy"] == 0.5
    first, second = [json.loads(line) for line in samples.read_text().splitlines()]
    assert first == {"question": "How many g in 6 kg?", "correct_answer": 6000.0,
                     "completion": "<answer>6 * 1000</answer>", "answer": 6000.0, "is_correct": True,
                     "from_unit": "kilogram", "to_unit": "gram", "dimension": "mass"}
    assert second["answer"] is None and second["is_correct"] is False and second["dimension"] == "time"


def write_samples(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_report_writes_markdown_and_a_png_chart(tmp_path, capsys):
    base = {"question": "q", "correct_answer": 1.0, "completion": "<answer>2</answer>", "answer": 2.0}
    sft = write_samples(tmp_path / "sft.jsonl", [
        {**base, "is_correct": True, "from_unit": "kilogram", "to_unit": "gram", "dimension": "mass"},
        {**base, "is_correct": False, "from_unit": "hour", "to_unit": "minute", "dimension": "time"}])
    rft = write_samples(tmp_path / "rft.jsonl", [
        {**base, "is_correct": True, "from_unit": "hour", "to_unit": "minute", "dimension": "time"}])
    state = tmp_path / "trainer_state.json"
    state.write_text(json.dumps({"log_history": [{"step": 5, "loss": 2.0}, {"step": 10, "loss": 1.0}]}))
    assert report.main([str(sft), str(rft), "--out", str(tmp_path / "out"), "--trainer_state", str(state)]) == 0
    files = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    text = (tmp_path / "out" / "report.md").read_text()
    assert "## sft" in text and "## rft" in text and "accuracy 0.500" in text and "| time | 0.000 | 1 |" in text
    assert "1x `<answer>2</answer>`" in text
    for key in ("chart", "loss"):
        png = open(files[key], "rb").read()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_report_names_a_malformed_samples_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q"}\n')
    assert report.main([str(bad)]) == 2
    assert capsys.readouterr().err.strip() == (f"report: {bad}: line 1 lacks correct_answer, completion, answer, "
                                               "is_correct; expected a samples line")


def test_ask_refuses_an_empty_or_overlong_question_in_one_sentence_with_exit_2(capsys):
    assert ask.main([""]) == 2
    assert capsys.readouterr().err.strip() == 'ask: question 1 is empty: ask something like "How many grams are in 6 kg?"'
    assert ask.main(["How many g in 6 kg?", "x" * 5000]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "ask: question 2 has 5000 characters; ask at most 500, one question at a time"


def test_robust_samples_carry_their_kind_and_the_report_shows_accuracy_per_kind(tmp_path, capsys):
    rows = [["How many g in 6 kg?", 6000.0, "symbols"], ["How many cups are in a quart?", 4.0, "no-digit"]]
    dataset = tmp_path / "robust.json"
    dataset.write_text(json.dumps(rows))
    samples = tmp_path / "s.jsonl"
    data.run_benchmark_cli("sft", FakeModel, str(dataset), None, str(samples))
    records = [json.loads(line) for line in samples.read_text().splitlines()]
    assert [r["kind"] for r in records] == ["symbols", "no-digit"]
    assert records[1]["from_unit"] == "quart" and records[1]["to_unit"] == "cup"  # "a quart" is one quart
    capsys.readouterr()
    assert report.main([str(samples), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "report.md").read_text()
    assert "| no-digit | 0.000 | 1 |" in text and "| symbols | 1.000 | 1 |" in text


def test_a_non_numeric_option_names_the_option_and_what_it_expects():
    import pytest

    from homework.cli import checked
    from homework.sft import train_model

    with pytest.raises(SystemExit, match=r"^--learning_rate: expected a number, got 'abc'$"):
        checked(train_model)(learning_rate="abc")
    with pytest.raises(SystemExit, match=r"^--max_examples: expected a whole number \(or None\), got 2.5$"):
        checked(train_model)(max_examples=2.5)
    with pytest.raises(SystemExit, match=r"^--resume: expected true or false, got 'yes'$"):
        checked(train_model)(resume="yes")


def test_the_command_line_reports_a_bad_option_without_a_traceback():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "homework.sft", "train", "--learning_rate", "abc"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "--learning_rate: expected a number, got 'abc'"


def test_valid_by_form_counts_each_way_of_writing_and_names_a_foreign_question(tmp_path, capsys):
    from benchmarks import valid_by_form
    from homework.questions import split_records

    valid = split_records()[1]
    typo = next(q for q in valid if q.noise == "typo")
    plain = next(q for q in valid if q.noise == "none" and q.value_form == "digits")
    samples = tmp_path / "valid.jsonl"
    def line(question, correct):
        return json.dumps({"question": question, "correct_answer": 1.0, "completion": "<answer>1</answer>",
                           "answer": 1.0 if correct else 2.0, "is_correct": correct}) + "\n"

    samples.write_text(line(typo.text, False) + line(plain.text, True))
    valid_by_form.main([str(samples)])
    out = capsys.readouterr().out
    assert "1/2" in out and "digits 1/1" in out and "typo 0/1" in out and "capitals 0/0" in out

    samples.write_text(line("How many cups in a quart?", True))
    with pytest.raises(SystemExit, match="line 1: the question is not in data/valid.json"):
        valid_by_form.main([str(samples)])


def test_refusal_decision_reads_the_token_after_the_names_and_splits_by_answer(tiny_llm):
    from benchmarks import refusal_decision

    head = " liter (volume) to meter (length):"
    records = [{"question": "How many liters in a meter?", "correct_answer": None, "completion": head + " cannot"},
               {"question": "How many m in 3 km?", "correct_answer": 3000.0, "completion": " <answer>3000</answer>"}]
    found = refusal_decision.decision_probabilities(tiny_llm, records)
    assert len(found["no_answer"]) == 1 and found["answer"] == [], "a completion without names has no decision"
    ids = tiny_llm.tokenizer(tiny_llm.format_prompt(records[0]["question"]) + head + " cannot",
                             return_tensors="pt", add_special_tokens=False).input_ids
    with torch.no_grad():  # " cannot" is one token after the colon: its probability where the model writes it
        expected = torch.softmax(tiny_llm.model(ids[:, :-1]).logits[0, -1].float(), -1)[ids[0, -1]].item()
    assert found["no_answer"][0] == pytest.approx(expected, rel=1e-4)
    assert refusal_decision.summary([0.9, 0.2, 0.7]) == {"n": 3, "median": 0.7, "above_half": 2}
