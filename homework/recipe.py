"""Rebuild the shipped adapters with one command: run a recipe's stages, each a package command.

    python -m homework.recipe run                    # make adapters: every stage, then publish
    python -m homework.recipe run --dry_run True     # make -n adapters: the stages as plain commands
    python -m homework.recipe publish                # only the last step, from finished stages

A recipe (recipes/shipped.toml) lists stages: a command ("homework.sft train"), its arguments and
the files or folders it writes. The runner holds no logic of its own beyond order and bookkeeping:
a stage whose outputs exist and whose arguments and inputs are unchanged is skipped, an interrupted
one resumes (the trainers and datagen take --resume), a changed one starts again from nothing. The
last step copies the adapters and data files where the package reads them, writes recipe.json
beside each adapter, and the results table (valid, robust by kind) as Markdown.

A test stage may carry floors (`expect = { min_refused_right = 0.85 }`): a run whose adapter scores below
one stops there and publishes nothing, since training can fail by chance (with one seed in three, run H's
SFT never learned to refuse) and such an adapter must not replace a good one unseen.
"""

import datetime
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .cli import comma_list

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipes" / "shipped.toml"
RUN = "{run}"
FLOORS = {"min_accuracy": ("accuracy", min), "min_refused_right": ("refused_right", min),  # name -> (measure,
          "max_false_refusals": ("false_refusals", max)}  # whether it may not fall below or rise above the floor)


class RecipeError(ValueError):
    """A recipe file that cannot be run; the message names the file and the stage."""


@dataclass
class Stage:
    name: str
    command: str  # "homework.sft train": a module and, where it has several, the command
    args: dict
    outputs: list[str]
    inputs: list[str] = field(default_factory=list)  # outputs of earlier stages that this one names
    expect: dict = field(default_factory=dict)  # floors on what a test stage measured: {"min_accuracy": 0.97}

    def argv(self) -> list[str]:
        """The command as a process runs it: python -m homework.sft train --dataset ... ."""
        words = [sys.executable, "-m", *self.command.split()]
        for key, value in self.args.items():
            words += [f"--{key}", str(value)]
        return words

    def plain(self) -> str:
        """The command as a user types it."""
        return shlex.join(["python", *self.argv()[1:]])

    def run_dir(self) -> Path | None:
        return Path(self.args["run_dir"]) if "run_dir" in self.args else None


@dataclass
class Recipe:
    path: Path
    run_dir: Path
    stages: list[Stage]
    publish: dict[str, str]  # a stage's output -> where the package reads it, relative to the project


def load(path: str | Path = RECIPE, run_dir: str | Path | None = None, overrides: dict | None = None) -> Recipe:
    """Read a recipe, "{run}" replaced by its run folder; overrides {stage: {arg: value}} change arguments
    (the miniature recipe of the tests trains the same stages on a tiny model)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RecipeError(f"{path}: cannot be read as a recipe ({error})") from None
    run = str(run_dir or raw.get("run_dir", "runs/recipe"))
    fill = lambda value: value.replace(RUN, run) if isinstance(value, str) else value  # noqa: E731
    overrides = dict(overrides or {})
    stages, written = [], set()
    for i, entry in enumerate(raw.get("stage", [])):
        missing = [key for key in ("name", "command", "args", "outputs") if key not in entry]
        if missing:
            raise RecipeError(f"{path}: stage {i + 1} lacks {', '.join(missing)}")
        args = {key: fill(value) for key, value in entry["args"].items()}
        args.update(overrides.pop(entry["name"], {}))
        stage = Stage(entry["name"], entry["command"], args, [fill(o) for o in entry["outputs"]],
                      expect=entry.get("expect", {}))
        if unknown := [key for key in stage.expect if key not in FLOORS]:
            raise RecipeError(f"{path}: stage {stage.name}: expect holds {unknown[0]!r}; the floors are "
                              f"{', '.join(FLOORS)}")
        if stage.expect and "save_samples" not in args:
            raise RecipeError(f"{path}: stage {stage.name}: expect needs a test stage that writes save_samples")
        stage.inputs = [part for value in args.values() if isinstance(value, str)
                        for part in value.split(",") if part in written]
        written.update(stage.outputs)
        stages.append(stage)
    if overrides:
        raise RecipeError(f"{path}: no stage named {', '.join(overrides)} (stages: "
                          f"{', '.join(s.name for s in stages)})")
    if len({s.name for s in stages}) != len(stages):
        raise RecipeError(f"{path}: two stages share a name")
    publish = {fill(source): target for source, target in raw.get("publish", {}).items()}
    unknown = [source for source in publish if source not in written]
    if unknown:
        raise RecipeError(f"{path}: [publish] names {unknown[0]}, which no stage writes")
    return Recipe(path, Path(run), stages, publish)


def measures(samples: str | Path) -> dict[str, float]:
    """What a test stage's samples file shows, with the names of the test command's last line: accuracy,
    refused_right (of the questions with no answer; absent when there are none) and false_refusals (of the
    questions that have an answer, the share refused)."""
    from .data import BenchmarkResult
    from .report import read_samples

    records = read_samples(samples)  # scored again by the benchmark's own rules, as the test command scored them
    result = BenchmarkResult.from_answers([math.nan if r["answer"] is None else r["answer"] for r in records],
                                          [[r["question"], r["correct_answer"]] for r in records],
                                          [r["completion"] for r in records])
    found = {"accuracy": result.accuracy, "false_refusals": result.false_refusals,
             "refused_right": result.refusal_accuracy}
    return {name: value for name, value in found.items() if value is not None}  # refused_right: None without such rows


def below_floors(stage: Stage) -> list[str]:
    """The floors of a test stage that its samples miss, each as "refused_right 0.0000 < 0.85"."""
    found, misses = measures(stage.args["save_samples"]) if stage.expect else {}, []
    for floor, bound in stage.expect.items():
        name, kind = FLOORS[floor]
        if name in found and (found[name] < bound if kind is min else found[name] > bound):
            misses.append(f"{name} {found[name]:.4f} {'<' if kind is min else '>'} {bound}")
    return misses


def file_hash(path: Path) -> str:
    """sha256 of a file, or of a folder's files (names and contents, in order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path)).encode() if path.is_dir() else b"")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def stamp(stage: Stage) -> str:
    """What a stage's result depends on: its command, arguments and the contents of its inputs."""
    record = {"command": stage.command, "args": stage.args,
              "inputs": {name: file_hash(Path(name)) for name in stage.inputs}}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def code_hash() -> str:
    """sha256 of the package's Python files: a stage is not rerun when only the code changed (a docstring
    would cost an hour of training), but the skip then says so, since new code may make other files."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*.py")):
        digest.update(str(file.relative_to(package)).encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def state_file(recipe: Recipe, stage: Stage) -> Path:
    return recipe.run_dir / "stages" / f"{stage.name}.json"


def clear(stage: Stage) -> None:
    """Remove what an earlier, different run of this stage wrote: outputs, checkpoints, partial files."""
    paths = [Path(o) for o in stage.outputs] + ([stage.run_dir()] if stage.run_dir() else [])
    paths += [p for o in stage.outputs for p in Path(o).parent.glob(Path(o).name + ".partial*")]
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def run_stage(recipe: Recipe, stage: Stage, number: str, force: bool = False) -> float | None:
    """Run one stage unless it is done; the seconds it took, or None when it was skipped."""
    current = stamp(stage)
    record_file = state_file(recipe, stage)
    record = json.loads(record_file.read_text()) if record_file.exists() else {}
    outputs_exist = all(Path(o).exists() for o in stage.outputs)
    code = code_hash()
    if not force and record.get("stamp") == current and record.get("seconds") is not None and outputs_exist:
        print(f"[{number}] {stage.name}: done, arguments and inputs unchanged (skipped)", flush=True)
        if record.get("code") != code:
            print(f"[{number}] {stage.name}: the package's code has changed since this stage ran; if the change "
                  f"alters what it writes, run it again with --force {stage.name}", flush=True)
        return None
    if force or record.get("stamp") != current or record.get("seconds") is not None:
        clear(stage)  # other arguments or inputs: nothing of that run may be resumed
        action = "starts"
    else:
        action = "resumes"
    record_file.parent.mkdir(parents=True, exist_ok=True)
    record_file.write_text(json.dumps({"stamp": current, "command": stage.plain(), "seconds": None}, indent=1) + "\n")
    print(f"[{number}] {stage.name} {action}: {stage.plain()}", flush=True)
    started = time.time()
    returncode = run_process(stage.argv())
    if returncode != 0:
        raise SystemExit(f"[{number}] {stage.name} failed (exit status {returncode}) after "
                         f"{duration(time.time() - started)}; `make adapters` resumes it")
    missing = [o for o in stage.outputs if not Path(o).exists()]
    if missing:
        raise SystemExit(f"[{number}] {stage.name} finished but did not write {', '.join(missing)}")
    seconds = time.time() - started
    record_file.write_text(json.dumps({"stamp": current, "command": stage.plain(), "seconds": round(seconds, 1),
                                       "code": code}, indent=1) + "\n")
    print(f"[{number}] {stage.name} done in {duration(seconds)}", flush=True)
    return seconds


def run_process(argv: list[str]) -> int:
    """A stage's exit status. A SIGTERM to the runner (`kill`, a job scheduler's time limit) stops the stage
    too, so that no stage goes on writing into the run folder once its runner is gone."""
    process, stopped = subprocess.Popen(argv), []

    def stop(signum, frame):  # the wait below goes on until the stage has ended
        stopped.append(signum)
        process.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        returncode = process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stopped:
        raise SystemExit(f"stopped by signal {stopped[0]}, and the stage with it; `make adapters` resumes it")
    return returncode


def run(recipe: str = str(RECIPE), run_dir: str | None = None, dry_run: bool = False, until: str | None = None,
        force: str | tuple | None = None, publish_to: str = str(ROOT), overrides: dict | None = None,
        floors: bool = True) -> None:
    """Run every stage of the recipe in order, then publish (copy adapters and data, write the tables).

    --dry_run True prints the stages as plain commands and runs nothing. --until NAME stops after that
    stage (and does not publish). --force NAME[,NAME] runs those stages again from nothing. --floors False
    goes on past a test stage under its floors (a trial of other arguments), saying so.
    """
    plan = load(recipe, run_dir, overrides)
    names = [s.name for s in plan.stages]
    forced = set() if force is None else {str(f) for f in comma_list(force)}
    for name in ([until] if until else []) + sorted(forced):
        if name not in names:
            raise SystemExit(f"--until/--force {name}: no such stage in {plan.path} (stages: {', '.join(names)})")
    last = names.index(until) if until else len(names) - 1
    if dry_run:
        for stage in plan.stages[:last + 1]:
            print(stage.plain())
        if not until:
            print(f"python -m homework.recipe publish --recipe {shlex.quote(shown(plan.path))}")
        return
    started = time.time()
    for i, stage in enumerate(plan.stages[:last + 1], 1):
        run_stage(plan, stage, f"{i}/{len(names)}", force=stage.name in forced)
        if misses := below_floors(stage):
            message = (f"[{i}/{len(names)}] {stage.name}: {', '.join(misses)}, under the floors of {shown(plan.path)}; "
                       f"see {stage.args['save_samples']}")
            if floors:
                raise SystemExit(f"{message}. The run stops and publishes nothing: change the training stage's "
                                 "arguments (another seed) and run again, or pass --floors False to go on")
            print(f"{message} (--floors False: going on)", flush=True)
    if not until:
        publish(plan, Path(publish_to))
    print(f"recipe {plan.path.name}: {duration(time.time() - started)} in all", flush=True)


def publish(plan: Recipe, root: Path = ROOT) -> None:
    """Copy the stages' outputs where the package reads them, with recipe.json beside each adapter,
    and write the results table."""
    made = json.dumps(provenance(plan), indent=1) + "\n"
    for source, target in plan.publish.items():
        destination = root / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if Path(source).is_dir():
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(source, destination)
            (destination / "recipe.json").write_text(made)
        else:
            shutil.copyfile(source, destination)
        print(f"published {source} -> {target}", flush=True)
    table = results_table(plan)
    plan.run_dir.mkdir(parents=True, exist_ok=True)
    (plan.run_dir / "results.md").write_text(table)
    print(table, flush=True)


def provenance(plan: Recipe) -> dict:
    """recipe.json: the stages with their arguments and times, and a hash of every data file they read."""
    data = {}
    for stage in plan.stages:
        for name in stage.inputs:
            if Path(name).is_file():
                data[plan.publish.get(name, name)] = file_hash(Path(name))
    stages = []
    for stage in plan.stages:
        record_file = state_file(plan, stage)
        seconds = json.loads(record_file.read_text()).get("seconds") if record_file.exists() else None
        stages.append({"name": stage.name, "command": stage.command, "args": stage.args, "seconds": seconds})
    return {"recipe": shown(plan.path),
            "package_version": __version__, "commit": git_commit(), "made": datetime.date.today().isoformat(),
            "machine": machine(), "stages": stages, "data_sha256": data}


def shown(path: Path) -> str:
    """A recipe's path as the project names it: relative to the project folder where it lies inside it."""
    path = path.resolve()
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine() -> str:
    """The processor the stages ran on: name, cores, vector units ("Intel Xeon, 2 cores, AVX-512, no native bf16")."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "CPU")
    flags = set(next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []))
    vector = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    bf16 = "native bf16" if "avx512_bf16" in flags or "amx_bf16" in flags else "no native bf16"
    return f"{name}, {len(os.sched_getaffinity(0))} cores, {vector}, {bf16}"


def results_table(plan: Recipe) -> str:
    """Markdown, a column per model: accuracy on every test stage's set, the robust set also by kind, and
    how often a question that has an answer was refused."""
    from .data import false_refusal_count
    from .report import read_samples

    cells: dict[str, dict[str, str]] = {}  # row ("valid", "robust: capitals") -> model -> cell
    models = []
    for stage in plan.stages:
        samples = stage.args.get("save_samples")
        if not samples or not Path(samples).exists():
            continue
        model, split = stage.command.split()[0].rsplit(".", 1)[1], Path(stage.args["dataset"]).stem
        models += [model] if model not in models else []
        records = read_samples(samples)
        cells.setdefault(split, {})[model] = f"**{sum(r['is_correct'] for r in records) / len(records):.4f}**"
        kinds = {}
        for record in records:
            if "kind" in record:
                right, total = kinds.get(record["kind"], (0, 0))
                kinds[record["kind"]] = (right + record["is_correct"], total + 1)
        for kind, (right, total) in sorted(kinds.items(), key=lambda item: -item[1][1]):
            cells.setdefault(f"{split}: {kind}", {})[model] = f"{right}/{total}"
        refused, answerable = false_refusal_count(records)  # refused although it has an answer
        cells.setdefault(f"{split}: false refusals", {})[model] = f"{refused}/{answerable}"
    lines = [f"Recipe {plan.path.name}, commit {git_commit()}, {datetime.date.today().isoformat()}, {machine()}.", "",
             "| set | " + " | ".join(models) + " |", "|---" * (len(models) + 1) + "|"]
    lines += [f"| {row} | " + " | ".join(by_model.get(m, "") for m in models) + " |" for row, by_model in cells.items()]
    return "\n".join(lines) + "\n"


def publish_command(recipe: str = str(RECIPE), run_dir: str | None = None, floors: bool = True,
                    publish_to: str = str(ROOT)) -> None:
    """The last step alone (see publish); as in `run`, not while a test stage is under its floors."""
    plan = load(recipe, run_dir)
    tested = [s for s in plan.stages if Path(s.args.get("save_samples", "")).is_file()]
    if (misses := [f"{s.name}: {', '.join(m)}" for s in tested if (m := below_floors(s))]) and floors:
        raise SystemExit(f"not published: {'; '.join(misses)}, under the floors of {shown(plan.path)} "
                         "(--floors False publishes anyway)")
    publish(plan, Path(publish_to))


COMMANDS = {"run": run, "publish": publish_command}

if __name__ == "__main__":
    from .cli import main

    main(COMMANDS)
