"""The recipe that rebuilds the shipped adapters: its stages are the package's own commands, the committed
data are what its question stages write, each adapter carries the recipe that made it, and a miniature
of the whole recipe (the tiny model, a handful of questions and steps) runs, skips and resumes."""

import inspect
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from homework import datagen, recipe, rft, sft
from homework.questions import commands
from homework.data import SPLITS, dataset_path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = recipe.load()


def stage(name: str) -> recipe.Stage:
    return next(s for s in SHIPPED.stages if s.name == name)


def test_the_dry_run_prints_every_stage_as_a_plain_package_command(capsys):
    recipe.run(dry_run=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[:-1] == [s.plain() for s in SHIPPED.stages]
    assert lines[-1] == "python -m homework.recipe publish --recipe recipes/shipped.toml"
    for line in lines:
        words = shlex.split(line)
        assert words[:2] == ["python", "-m"] and words[2].startswith("homework.")
    assert not (ROOT / "runs" / "recipe" / "stages" / "dry-run").exists()


def published(value):
    """A stage argument as the package's defaults name it: the published path, or the split it is."""
    target = SHIPPED.publish.get(value, value)
    return str(ROOT / target) if isinstance(target, str) and target.startswith("homework/") else target


@pytest.mark.parametrize("name,function", [("sft", sft.train_model), ("datagen", datagen.generate_dataset),
                                           ("rft", rft.train_model)])
def test_the_commands_with_no_options_are_the_recipes_stages(name, function):
    defaults = {k: p.default for k, p in inspect.signature(function).parameters.items()}
    for key, value in stage(name).args.items():
        if key in ("run_dir", "resume"):
            continue  # where checkpoints go, and resuming them: bookkeeping, not the recipe
        default = defaults[key]
        if key in ("dataset", "with_sft_data", "output_json"):
            default = str(dataset_path(default).relative_to(ROOT)) if default in SPLITS else default
        assert default == published(value), f"{name} --{key}: default {default!r}, recipe {value!r}"


def test_committed_data_are_what_the_recipes_question_stages_write(tmp_path):
    writers = {"homework.questions generate": commands.generate, "homework.questions robust": commands.robust,
               "homework.questions questions": commands.questions}
    run_dir = str(recipe.load().run_dir)
    plan = recipe.load(run_dir=tmp_path)
    for s in plan.stages:
        if s.command in writers:
            writers[s.command](**s.args)
            for output in s.outputs:
                target = SHIPPED.publish[output.replace(str(tmp_path), run_dir)]
                assert Path(output).read_bytes() == (ROOT / target).read_bytes(), f"{target} drifted from {s.name}"


@pytest.mark.parametrize("adapter", ["sft_model", "rft_model"])
def test_each_shipped_adapter_carries_the_recipe_that_made_it(adapter):
    made = json.loads((ROOT / "homework" / adapter / "recipe.json").read_text())
    assert made["recipe"] == "recipes/shipped.toml"
    assert [(s["name"], s["command"], s["args"]) for s in made["stages"]] == [
        (s.name, s.command, s.args) for s in SHIPPED.stages]
    assert made["data_sha256"], "the data files the stages read"
    for name, digest in made["data_sha256"].items():
        assert recipe.file_hash(ROOT / name) == digest, f"{name} is not the file the shipped adapters were made from"


def test_data_holds_only_what_the_recipe_and_the_tests_read():
    names = sorted(p.name for p in (ROOT / "data").glob("*.json"))
    published_data = sorted(Path(t).name for t in SHIPPED.publish.values() if t.startswith("data/"))
    assert names == published_data and len(names) <= 8


def test_a_recipe_names_a_missing_stage_clearly(tmp_path):
    with pytest.raises(SystemExit, match="--until/--force nope: no such stage"):
        recipe.run(dry_run=True, until="nope")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[stage]]\nname = "x"\ncommand = "homework.sft train"\n')
    with pytest.raises(recipe.RecipeError, match="stage 1 lacks args, outputs"):
        recipe.load(bad)


def write_samples(path: Path, refused: int, of: int, answered_wrong: int = 0) -> None:
    """A samples file: `of` questions with no answer (`refused` of them refused) and 10 with one."""
    refusal = " liter (volume) to meter (length): cannot be converted <answer>none</answer>"
    rows = [{"question": "liters in a meter?", "correct_answer": None, "completion": refusal if i < refused else
             " <answer>1</answer>", "answer": float("nan") if i < refused else 1.0, "is_correct": i < refused}
            for i in range(of)]
    rows += [{"question": "m in 1 km?", "correct_answer": 1000.0, "completion": " <answer>1000</answer>",
              "answer": 1000.0 if i >= answered_wrong else 10.0, "is_correct": i >= answered_wrong} for i in range(10)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def test_a_test_stage_under_its_floors_stops_the_run_before_anything_is_published(tmp_path, monkeypatch, capsys):
    plan = tmp_path / "floors.toml"
    plan.write_text(f'''
[[stage]]
name = "sft_robust"
command = "homework.sft test"
args = {{ dataset = "robust", save_samples = "{tmp_path}/robust.jsonl" }}
outputs = ["{tmp_path}/robust.jsonl"]
expect = {{ min_accuracy = 0.9, min_refused_right = 0.85 }}

[publish]
"{tmp_path}/robust.jsonl" = "data/robust_samples.jsonl"
''')
    monkeypatch.setattr(recipe, "run_stage", lambda *args, **kwargs: None)  # the stage "ran": its samples are there
    write_samples(tmp_path / "robust.jsonl", refused=0, of=5)  # never refuses, as SFT with seed 1 did
    options = dict(recipe=str(plan), run_dir=str(tmp_path / "run"), publish_to=str(tmp_path / "project"))
    with pytest.raises(SystemExit, match=r"sft_robust: accuracy 0.6667 < 0.9, refused_right 0.0000 < 0.85, "
                                         r"under the floors of .*floors.toml.*publishes nothing"):
        recipe.run(**options)
    assert not (tmp_path / "project").exists()
    with pytest.raises(SystemExit, match="not published: sft_robust: accuracy 0.6667 < 0.9"):
        recipe.publish_command(recipe=str(plan), run_dir=str(tmp_path / "run"),  # nor by the last step alone
                               publish_to=str(tmp_path / "project"))
    recipe.run(**options, floors=False)  # a trial goes on, saying so
    assert "(--floors False: going on)" in capsys.readouterr().out
    assert (tmp_path / "project" / "data" / "robust_samples.jsonl").exists()

    write_samples(tmp_path / "robust.jsonl", refused=5, of=5, answered_wrong=1)  # 14 of 15, every refusal
    recipe.run(**options)
    assert "under the floors" not in capsys.readouterr().out


def test_the_measures_a_floor_bounds_are_the_test_commands(tmp_path):
    write_samples(tmp_path / "s.jsonl", refused=3, of=4, answered_wrong=2)
    assert recipe.measures(tmp_path / "s.jsonl") == {"accuracy": 11 / 14, "refused_right": 0.75, "false_refusals": 0}
    write_samples(tmp_path / "s.jsonl", refused=0, of=0)
    assert "refused_right" not in recipe.measures(tmp_path / "s.jsonl"), "no question without an answer: no measure"


@pytest.mark.parametrize("expect,error", [("{ min_refusals = 0.9 }", "stage t: expect holds 'min_refusals'; the floors"),
                                          ("{ min_accuracy = 0.9 }", "stage t: expect needs a test stage")])
def test_a_recipe_names_a_floor_it_cannot_check(tmp_path, expect, error):
    bad = tmp_path / "bad.toml"
    save = ', save_samples = "s.jsonl"' if "refusals" in expect else ""
    bad.write_text(f'[[stage]]\nname = "t"\ncommand = "homework.sft test"\nargs = {{ dataset = "valid"{save} }}\n'
                   f'outputs = ["s.jsonl"]\nexpect = {expect}\n')
    with pytest.raises(recipe.RecipeError, match=error):
        recipe.load(bad)


def test_the_shipped_recipe_checks_both_adapters_on_valid_and_robust():
    floored = {s.name: s.expect for s in SHIPPED.stages if s.expect}
    assert set(floored) == {"sft_valid", "sft_robust", "rft_valid", "rft_robust"}
    assert all("min_refused_right" in floored[name] for name in ("sft_robust", "rft_robust"))


def miniature(tiny_model_dir) -> dict:
    """The shipped stages at the size of a test: a few questions, a few steps, the tiny random model."""
    tests = {"max_question": 3}
    return {"questions": {"train_size": 30, "valid_size": 6},
            "sft_questions": {"n": 12}, "rft_questions": {"n": 3},
            "sft": {"base": str(tiny_model_dir), "batch_size": 4, "rank": 2},
            "sft_valid": tests, "sft_robust": tests, "rft_valid": tests, "rft_robust": tests,
            "datagen": {"max_questions": 3}, "rft": {"sft_examples": 4, "batch_size": 4}}


def test_the_miniature_recipe_runs_end_to_end_then_skips_finished_stages_and_resumes_an_interrupted_one(
        tiny_model_dir, tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("HOMEWORK_BATCH_SIZE", "8")
    run_dir, root = tmp_path / "run", tmp_path / "project"
    options = dict(run_dir=str(run_dir), publish_to=str(root), overrides=miniature(tiny_model_dir),
                   floors=False)  # a random model scores nothing: its test stages go on under their floors
    recipe.run(**options)
    out = capfd.readouterr().out
    assert "sft_valid: accuracy 0.0000 < 0.97" in out and "(--floors False: going on)" in out
    names = [s.name for s in SHIPPED.stages]
    for i, name in enumerate(names, 1):
        assert f"[{i}/{len(names)}] {name} starts: python -m " in out and f"[{i}/{len(names)}] {name} done in" in out
    for adapter in ("sft_model", "rft_model"):
        files = sorted(p.name for p in (root / "homework" / adapter).iterdir())
        assert files == ["adapter_config.json", "adapter_model.safetensors", "recipe.json"]
    assert len(json.loads((root / "data" / "sft_questions.json").read_text())) == 12
    assert "| set | sft | rft |" in out and "| valid | **" in out and (run_dir / "results.md").exists()
    made = json.loads((root / "homework" / "rft_model" / "recipe.json").read_text())
    assert made["stages"][3]["args"]["base"] == str(tiny_model_dir) and made["stages"][3]["seconds"] > 0

    recipe.run(**options)  # finished: every stage skipped, the adapters published again
    out = capfd.readouterr().out
    assert out.count("(skipped)") == len(names) and " starts:" not in out and "code has changed" not in out
    with monkeypatch.context() as patch:
        patch.setattr(recipe, "code_hash", lambda: "other code")  # skipped still, but not silently
        recipe.run(**options)
    out = capfd.readouterr().out
    assert out.count("(skipped)") == len(names) and out.count("code has changed") == len(names)
    assert "--force questions" in out

    state = run_dir / "stages" / "rft.json"  # RFT stopped before it wrote its adapter: its checkpoints remain
    state.write_text(json.dumps({**json.loads(state.read_text()), "seconds": None}))
    adapter = run_dir / "rft_model"
    for file in adapter.iterdir():
        file.unlink()
    adapter.rmdir()
    recipe.run(**options)
    captured = capfd.readouterr()
    assert f"{names.index('rft') + 1}/{len(names)}] rft resumes:" in captured.out
    assert "--resume: continuing from" in captured.err
    assert all(f"] {name}: done" in captured.out for name in names[:names.index("rft")]), "the stages before it are done"

    changed = miniature(tiny_model_dir)
    changed["rft"]["learning_rate"] = 1e-3  # another argument: that stage and those reading its adapter rerun
    recipe.run(**{**options, "overrides": changed})
    out = capfd.readouterr().out
    assert {line.split("] ")[1].split(" ")[0] for line in out.splitlines() if " starts:" in line} == {
        "rft", "rft_valid", "rft_robust"}


def test_a_stopped_runner_stops_its_stage(tmp_path):
    """`kill` on the runner must not leave a stage writing into the run folder that the next run clears."""
    pid_file = tmp_path / "stage.pid"
    stage_code = f"import os, time, pathlib; pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); time.sleep(60)"
    runner = subprocess.Popen([sys.executable, "-c", "import sys; from homework import recipe; "
                               f"sys.exit(recipe.run_process([sys.executable, '-c', {stage_code!r}]))"], cwd=ROOT)
    deadline = time.time() + 30
    while not (pid_file.exists() and pid_file.read_text()) and time.time() < deadline:
        time.sleep(0.1)
    stage_pid = int(pid_file.read_text())
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=30) != 0
    with pytest.raises(ProcessLookupError):
        for _ in range(50):  # the stage is gone (reaped by the runner) within a few seconds
            os.kill(stage_pid, 0)
            time.sleep(0.1)
