import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import bundle
from grader.__main__ import grade, main
from grader.cases import SCALES, Limits

ROOT = Path(__file__).resolve().parent.parent

FAKE_MODEL = '''
import json, math, time
from pathlib import Path
import torch

CORRECT = {correct}  # how many of the first 100 validation questions this fake answers right


class FakeLLM:
    def __init__(self):
        self.model = torch.nn.Linear({width}, {width}, device="{device}")
        rows = json.loads((Path(__file__).resolve().parent.parent / "data" / "valid.json").read_text())
        self.truth = {{q: a for q, a in rows[:100]}}
        self.order = [q for q, _ in rows[:100]]

    def format_prompt(self, question):
        return question

    def generate(self, prompt):
        return self.batched_generate([prompt])[0]

    def batched_generate(self, prompts, num_return_sequences=None, temperature=0):
        texts = ["It is <answer>1</answer>" for _ in prompts]
        return texts if num_return_sequences is None else [[t] * num_return_sequences for t in texts]

    def answer(self, *questions):
        time.sleep({answer_sleep_s})
        return [self.truth[q] if self.order.index(q) < CORRECT else math.nan for q in questions]


def load():
    return FakeLLM()
'''


def make_package(root: Path, correct: dict, width: int = 8, device: str = "cpu", answer_sleep_s: float = 0) -> Path:
    package = root / "homework"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for kind, n in correct.items():
        (package / f"{kind}.py").write_text(FAKE_MODEL.format(correct=n, width=width, device=device, answer_sleep_s=answer_sleep_s))
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.pyc").write_bytes(b"0")
    (package / "sft_model" / "checkpoint-5").mkdir(parents=True)
    (package / "sft_model" / "checkpoint-5" / "optimizer.pt").write_bytes(b"0")
    return package


def test_bundle_skips_caches_and_checkpoints(tmp_path, monkeypatch):
    package = make_package(tmp_path, {"cot": 40})
    monkeypatch.chdir(tmp_path)
    out = bundle.bundle(str(package), "utid")
    names = zipfile.ZipFile(out).namelist()
    assert sorted(names) == ["homework/__init__.py", "homework/cot.py"]


def test_bundle_over_the_limit_is_refused_naming_the_largest_file(tmp_path, monkeypatch):
    package = make_package(tmp_path, {"cot": 40})
    (package / "weights.bin").write_bytes(os.urandom(20_000))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match=r"over the .* limit; largest files: weights.bin"):
        bundle.bundle(str(package), "utid", max_bytes=10_000)
    assert not (tmp_path / "utid.zip").exists()
    assert bundle.MAX_BYTES == 50_000_000


def test_grader_scores_a_fake_package_with_known_answers(tmp_path):
    package = make_package(tmp_path, {"cot": 20, "sft": 50, "rft": 75})
    results = {r.name: r for r in grade(str(package), limits=Limits(60, 60, 60, 1))}
    assert results["cot: accuracy"].score == pytest.approx(30 * 0.20 / 0.4)
    assert results["sft: accuracy"].score == pytest.approx(30 * (0.50 - 0.4) / 0.2)
    assert results["rft: accuracy"].score == 30
    assert results["rft: extra credit"].score == pytest.approx(5 * 0.5)
    assert all(results[f"{k}: load and size"].score == 10 for k in SCALES)
    assert "differs from unbatched" not in results["sft: generation"].message


def test_grader_refuses_a_model_over_380m_parameters(tmp_path):
    package = make_package(tmp_path, {"sft": 100}, width=20_000, device="meta")  # 400M, never allocated
    (result, *_) = grade(str(package), kinds=("sft",), limits=Limits(60, 60, 60, 1))
    assert result.score == 0
    assert result.message == ("ValueError: Model has 400020000 parameters, which is greater than the maximum "
                              "allowed 380000000")


@pytest.mark.parametrize("entries,message", [
    (["homework/__init__.py", "../escaped.py"], "would land outside the extraction folder"),
    (["a/__init__.py", "b/__init__.py"], "expected one top-level package folder"),
])
def test_grader_refuses_an_unsafe_or_malformed_zip_before_extracting(tmp_path, capsys, entries, message):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        for name in entries:
            archive.writestr(name, "")
    assert main([str(bad)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path.parent / "escaped.py").exists()


def test_grader_cli_grades_a_bundled_zip(tmp_path):
    package = make_package(tmp_path, {"cot": 40, "sft": 60, "rft": 80})
    subprocess.run([sys.executable, str(ROOT / "bundle.py"), str(package), "u"], cwd=tmp_path, check=True,
                   capture_output=True)
    run = subprocess.run([sys.executable, "-m", "grader", str(tmp_path / "u.zip"), "-v"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == "total score: 155.00 / 155"


def test_accuracy_limit_scales_with_the_questions_and_a_timeout_says_how_to_raise_it(tmp_path):
    assert Limits(accuracy_base_s=120, seconds_per_question=10).accuracy_s(100) == 1120
    package = make_package(tmp_path, {"sft": 100}, answer_sleep_s=2)
    results = {r.name: r for r in grade(str(package), kinds=("sft",), limits=Limits(60, 60, 0.2, 0.001))}
    message = results["sft: accuracy"].message
    assert results["sft: accuracy"].score == 0
    assert message == ("timed out after 0.3 s (limit: 0.2 s + 0.001 s per question for 100 questions; "
                       "raise it with --seconds_per_question)")


def test_a_failing_case_makes_the_cli_exit_1_and_models_picks_what_is_graded(tmp_path, capsys):
    package = make_package(tmp_path, {"cot": 40, "sft": 0, "rft": 80})  # sft answers nothing right
    assert main([str(package), "--models", "cot,rft"]) == 0
    graded = capsys.readouterr().out
    assert "cot: accuracy" in graded and "rft: accuracy" in graded and "sft:" not in graded
    assert main([str(package), "--models", "sft"]) == 1
    assert "0.00 / 30    sft: accuracy" in capsys.readouterr().out


def test_a_model_that_fails_to_load_scores_zero_and_its_other_cases_are_skipped(tmp_path):
    package = make_package(tmp_path, {"sft": 100})
    (package / "sft.py").write_text("def load():\n    raise RuntimeError('no adapter here')\n")
    results = grade(str(package), kinds=("sft",), limits=Limits(60, 60, 60, 1))
    assert [(r.name, r.score) for r in results] == [("sft: load and size", 0), ("sft: generation", 0),
                                                    ("sft: accuracy", 0)]
    assert results[0].message == "RuntimeError: no adapter here"
    assert all(r.message.startswith("skipped") for r in results[1:])


def test_generation_that_differs_from_batched_or_is_not_text_scores_zero(tmp_path):
    package = make_package(tmp_path, {"sft": 100, "rft": 100})
    for kind, text in (("sft", "'single' if len(prompts) == 1 else 'batch'"), ("rft", "'\\x00\\x01\\x02'")):
        source = (package / f"{kind}.py").read_text()
        (package / f"{kind}.py").write_text(source.replace('"It is <answer>1</answer>"', text))
    results = {r.name: r for r in grade(str(package), kinds=("sft", "rft"), limits=Limits(60, 60, 60, 1))}
    assert results["sft: generation"].score == 0 and "differs from unbatched" in results["sft: generation"].message
    assert results["rft: generation"].score == 0 and "not coherent text" in results["rft: generation"].message
    assert results["sft: accuracy"].score == 30, "a failed case costs that case only"


def test_a_slow_load_times_out_and_names_the_option_that_raises_the_limit(tmp_path, capsys):
    package = make_package(tmp_path, {"sft": 100})
    source = (package / "sft.py").read_text()
    (package / "sft.py").write_text(source.replace("def load():\n", "def load():\n    time.sleep(5)\n"))
    assert main([str(package), "--models", "sft", "--load_timeout", "0.1"]) == 1
    assert "sft: load and size timed out after 0.1 s (limit: raise it with --load_timeout)" in capsys.readouterr().err


@pytest.mark.parametrize("limit,value,message", [("MAX_FILES", 2, "3 entries, more than the 2 allowed"),
                                                 ("MAX_UNCOMPRESSED", 10, "uncompressed size over")])
def test_a_zip_over_the_entry_or_size_limit_is_refused_before_extracting(tmp_path, capsys, monkeypatch, limit, value,
                                                                         message):
    from grader import loader

    monkeypatch.setattr(loader, limit, value)
    archive_path = tmp_path / "big.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for name in ("homework/__init__.py", "homework/a.py", "homework/b.py"):
            archive.writestr(name, "x = 1  # some bytes\n")
    assert main([str(archive_path)]) == 2
    assert message in capsys.readouterr().err
