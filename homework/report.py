"""Turn saved samples into a report: python -m homework.report SAMPLES.jsonl [...] --out runs/report.

Each samples file comes from a `test --save_samples PATH` run. The report is a Markdown summary
(accuracy and answer rate per file, accuracy per dimension, per kind of phrasing where the samples
carry one, and per unit pair, the most common wrong completions) and a PNG bar chart of accuracy per
dimension, one bar per file side by side.
--trainer_state runs/sft/checkpoint-N/trainer_state.json also plots that run's training loss.
The last stdout line is a JSON object naming the files written.
"""

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REQUIRED = ("question", "correct_answer", "completion", "answer", "is_correct")


def read_samples(path: str | Path) -> list[dict]:
    """The records of one samples file; a clear error naming the file and line when one is malformed."""
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"{path}: no such samples file (write one with `test --save_samples {path}`)")
    records = []
    for line_no, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise SystemExit(f"{path}: line {line_no} is not JSON") from None
        missing = [key for key in REQUIRED if not isinstance(record, dict) or key not in record]
        if missing:
            raise SystemExit(f"{path}: line {line_no} lacks {', '.join(missing)}; expected a samples line")
        records.append(record)
    if not records:
        raise SystemExit(f"{path}: no samples in the file")
    return records


def accuracy_by(records: list[dict], key) -> dict[str, tuple[float, int]]:
    """{group: (accuracy, count)} for the groups key(record) gives; records without a group go to "unknown"."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        groups[key(record) or "unknown"].append(bool(record["is_correct"]))
    return {g: (sum(v) / len(v), len(v)) for g, v in sorted(groups.items())}


def summarize(name: str, records: list[dict], top: int = 10) -> str:
    """The Markdown section for one samples file."""
    n = len(records)
    accuracy = sum(r["is_correct"] for r in records) / n
    answer_rate = sum(r["answer"] is not None for r in records) / n
    lines = [f"## {name}", "", f"{n} questions: accuracy {accuracy:.3f}, answer_rate {answer_rate:.3f}", "",
             "| dimension | accuracy | n |", "|---|---|---|"]
    lines += [f"| {d} | {a:.3f} | {k} |" for d, (a, k) in accuracy_by(records, lambda r: r.get("dimension")).items()]
    if any(r.get("kind") for r in records):  # robust.json names each question's kind of phrasing
        lines += ["", "| kind | accuracy | n |", "|---|---|---|"]
        lines += [f"| {k} | {a:.3f} | {c} |" for k, (a, c) in accuracy_by(records, lambda r: r.get("kind")).items()]
    pairs = accuracy_by(records, lambda r: r.get("from_unit") and f"{r['from_unit']} -> {r.get('to_unit')}")
    worst = sorted(pairs.items(), key=lambda item: (item[1][0], -item[1][1]))[:top]
    lines += ["", f"Unit pairs with the lowest accuracy (of {len(pairs)}):", "", "| pair | accuracy | n |",
              "|---|---|---|"] + [f"| {p} | {a:.3f} | {k} |" for p, (a, k) in worst]
    wrong = Counter((r["completion"] or "").strip() for r in records if not r["is_correct"])
    lines += ["", "Most common wrong completions:", ""]
    lines += [f"- {count}x `{text[:100]}`" for text, count in wrong.most_common(top)] or ["- none"]
    return "\n".join(lines) + "\n"


def plot_dimensions(named: dict[str, list[dict]], out: Path) -> Path:
    """A bar chart of accuracy per dimension, one bar per samples file."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    per_file = {name: accuracy_by(records, lambda r: r.get("dimension")) for name, records in named.items()}
    dimensions = sorted({d for acc in per_file.values() for d in acc})
    width = 0.8 / len(per_file)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(dimensions)), 3.5))
    for k, (name, acc) in enumerate(per_file.items()):
        ax.bar([i + k * width for i in range(len(dimensions))], [acc.get(d, (0, 0))[0] for d in dimensions],
               width, label=name)
    ax.set_xticks([i + width * (len(per_file) - 1) / 2 for i in range(len(dimensions))], dimensions)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    fig.tight_layout()
    path = out / "accuracy_by_dimension.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def plot_loss(trainer_state: str | Path, out: Path) -> Path:
    """The training loss per logged step of a run, from its trainer_state.json."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(trainer_state)
    if not path.is_file():
        raise SystemExit(f"--trainer_state {path}: no such file (runs/<stage>/checkpoint-N/trainer_state.json)")
    history = [e for e in json.loads(path.read_text()).get("log_history", []) if "loss" in e]
    if not history:
        raise SystemExit(f"--trainer_state {path}: its log_history holds no training loss")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([e["step"] for e in history], [e["loss"] for e in history])
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    fig.tight_layout()
    target = out / "training_loss.png"
    fig.savefig(target, dpi=80)
    plt.close(fig)
    return target


def report(*samples: str, out: str = "runs/report", trainer_state: str | None = None) -> dict:
    """Write OUT/report.md and OUT/accuracy_by_dimension.png for SAMPLES files (and the loss plot)."""
    if not samples:
        raise SystemExit("no samples file given: python -m homework.report SAMPLES.jsonl [...]")
    named = {Path(s).stem: read_samples(s) for s in samples}
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    chart = plot_dimensions(named, folder)
    files = {"markdown": str(folder / "report.md"), "chart": str(chart)}
    text = "# Error report\n\n![accuracy by dimension](accuracy_by_dimension.png)\n\n"
    if trainer_state:
        files["loss"] = str(plot_loss(trainer_state, folder))
        text += "![training loss](training_loss.png)\n\n"
    text += "\n".join(summarize(name, records) for name, records in named.items())
    Path(files["markdown"]).write_text(text)
    return files


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m homework.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("samples", nargs="+", help="samples files written by test --save_samples")
    parser.add_argument("--out", default="runs/report", help="folder for report.md and the charts")
    parser.add_argument("--trainer_state", default=None, help="a run's trainer_state.json, to plot its loss")
    args = parser.parse_args(argv)
    try:
        files = report(*args.samples, out=args.out, trainer_state=args.trainer_state)
    except SystemExit as error:
        if isinstance(error.code, str):
            print(f"report: {error.code}", file=sys.stderr)
            return 2
        raise
    print(json.dumps(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
