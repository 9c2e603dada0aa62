import json
import math
import re

import pytest

from homework import cot, datagen
from homework.answers import parse_answer
from homework.base_llm import BaseLLM
from homework.conversion_utils import convert
from homework.cot import EXAMPLES, CoTModel, worked_answer


@pytest.mark.parametrize("question,value,src,dst", EXAMPLES)
def test_worked_examples_evaluate_to_the_right_answer(question, value, src, dst):
    assert parse_answer(worked_answer(value, src, dst)) == pytest.approx(convert(value, src, dst), rel=1e-6)


def test_cot_prompt_is_a_chat_with_examples_ending_in_the_question(tiny_model_dir):
    llm = CoTModel(str(tiny_model_dir), device="cpu")
    prompt = llm.format_prompt("How many bits in 3 bytes?")
    assert prompt.count("<|im_start|>user") == 7 and prompt.count("</answer><|im_end|>") == 6
    assert prompt.rstrip().endswith("How many bits in 3 bytes?<|im_end|>\n<|im_start|>assistant")


class FakeSampler(BaseLLM):
    """Samples three fixed completions per prompt: right for questions with an even value, else wrong."""

    def __init__(self):
        self.calls = 0

    def format_prompt(self, question):
        return question

    def batched_generate(self, prompts, num_return_sequences=None, temperature=0, **kwargs):
        self.calls += len(prompts)
        out = []
        for p in prompts:
            value = float(p.split()[-2])
            right = value * 100 if value % 2 == 0 else -1
            out.append([f"long reasoning <answer>{right}</answer> extra", f"<answer>{right}</answer>", "<answer>-7"]
                       [:num_return_sequences])
        return out


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "q.json"
    path.write_text(json.dumps([[f"convert {i} m", i * 100.0] for i in range(1, 11)]))
    return str(path)


def test_datagen_keeps_the_shortest_correct_reasoning_and_reports_success(tmp_path, questions, monkeypatch, capsys):
    monkeypatch.setattr(datagen, "build_sampler", lambda checkpoint, backend="hf": FakeSampler())
    out = tmp_path / "rft.json"
    datagen.generate_dataset(str(out), dataset=questions, oversample=3, questions_per_batch=3)
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    rows = json.loads(out.read_text())
    assert summary == {"output": str(out), "entries": 5, "questions": 10, "success_rate": 0.5}
    assert len(rows) == 5
    assert rows[0] == ["convert 2 m", 200.0, "<answer>200.0</answer>"]
    assert not out.with_name("rft.json.partial.jsonl").exists()


def test_datagen_resumes_without_losing_or_repeating_work(tmp_path, questions, monkeypatch):
    sampler = FakeSampler()
    monkeypatch.setattr(datagen, "build_sampler", lambda checkpoint, backend="hf": sampler)
    out = tmp_path / "rft.json"
    partial = out.with_name("rft.json.partial.jsonl")
    partial.write_text(json.dumps({"index": 1, "entries": [["convert 2 m", 200.0, "<answer>200</answer>"]]})
                       + "\n" + '{"index": 2, "entr')  # a crash cut the last line short
    with pytest.raises(SystemExit, match="--resume"):
        datagen.generate_dataset(str(out), dataset=questions, oversample=2)
    datagen.generate_dataset(str(out), dataset=questions, oversample=2, resume=True)
    rows = json.loads(out.read_text())
    assert sampler.calls == 9 and len(rows) == 5
    assert [r[0] for r in rows] == [f"convert {i} m" for i in (2, 4, 6, 8, 10)]
    assert rows[0][2] == "<answer>200</answer>", "finished work is kept as it was"


def test_select_reasonings_prefers_distinct_short_correct_ones():
    kept = datagen.select_reasonings(["a <answer>5</answer>", "<answer>5</answer> junk", "<answer>5</answer>",
                                      "<answer>4</answer>", "b <answer>5"], 5.0, parse_answer, max_paths=2)
    assert kept == ["<answer>5</answer>", "a <answer>5</answer>"]
    assert all(math.isfinite(parse_answer(k)) for k in kept)
    # where no answer exists, a refusal is right and a text that merely lacks a number is not
    refused = datagen.select_reasonings(["liter to meter: cannot be converted <answer>none</answer>", "no idea",
                                         "<answer>3</answer>"], None, parse_answer)
    assert refused == ["liter to meter: cannot be converted <answer>none</answer>"]


def test_the_prompt_shows_worked_answers_that_evaluate_right(tiny_model_dir):
    prompt = CoTModel(str(tiny_model_dir), device="cpu").format_prompt("How many bits in 3 bytes?")
    answers = re.findall(r"<answer>(.+?)</answer>", prompt)  # the instructions name the tags with nothing inside
    assert len(answers) == len(EXAMPLES)
    for written, (_, value, src, dst) in zip(answers, EXAMPLES):
        assert parse_answer(f"<answer>{written}</answer>") == pytest.approx(convert(value, src, dst), rel=1e-5)


def test_cot_test_command_ends_with_its_json_summary(tmp_path, tiny_model_dir, capsys):
    questions = tmp_path / "q.json"
    questions.write_text(json.dumps([["How many g in 6 kg?", 6000.0], ["2 h in min", 120.0]]))
    cot.test_model(dataset=str(questions), max_question=2, checkpoint=str(tiny_model_dir))
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["model"] == "cot" and summary["n"] == 2 and 0 <= summary["accuracy"] <= summary["answer_rate"] <= 1
