"""Ask a model your own questions: python -m homework.ask "How many grams are in 6 kg?" [--model rft].

Prints each question's raw completion (the arithmetic the model wrote; for a refusal, its sentence) on
stdout and, as the last stdout line, the evaluated number (one question) or a JSON list of numbers (several; null where the
model gave none). "-" reads one question per line from stdin; all questions are answered in one
batched call, through the model's own answer path.
"""

import json
import logging
import math
import sys
from pathlib import Path

from .answers import refusal_sentence

MODELS = ("cot", "sft", "rft")


def build_model(model: str, adapter_dir: str | None):
    """The model as its module's load() builds it, or the same class on another adapter folder."""
    if model not in MODELS:
        raise SystemExit(f"--model must be one of {', '.join(MODELS)}, got {model!r}")
    if model == "cot":
        if adapter_dir:
            raise SystemExit("--adapter_dir does not apply to --model cot, which has no adapter")
        from .cot import load

        return load()
    from . import rft, sft

    module = sft if model == "sft" else rft
    folder = Path(adapter_dir) if adapter_dir else (sft.SFT_DIR if model == "sft" else rft.RFT_DIR)
    if not (folder / "adapter_config.json").is_file():
        raise SystemExit(f"--adapter_dir {folder}: no trained adapter there (adapter_config.json is missing)")
    return module.load(folder)


MAX_QUESTION_CHARS = 500  # a question, not a document: longer text would only fill the prompt


def read_questions(questions: tuple, stdin=None) -> list[str]:
    """The command's questions, with "-" replaced by the non-empty lines of stdin; SystemExit with one
    sentence for an empty question or one over MAX_QUESTION_CHARS."""
    out = []
    for question in questions:
        if str(question) == "-":
            out += [line.strip() for line in (stdin or sys.stdin) if line.strip()]
        else:
            out.append(str(question).strip())
    for number, question in enumerate(out, 1):
        if not question:
            raise SystemExit(f"question {number} is empty: ask something like \"How many grams are in 6 kg?\"")
        if len(question) > MAX_QUESTION_CHARS:
            raise SystemExit(f"question {number} has {len(question)} characters; ask at most {MAX_QUESTION_CHARS}, "
                             "one question at a time")
    return out


def ask(*questions: str, model: str = "rft", adapter_dir: str | None = None) -> None:
    """Answer QUESTIONS ("-" reads them from stdin) with --model cot|sft|rft (default rft).

    --adapter_dir DIR answers with another trained adapter of that kind. Between units that cannot be
    converted ("How many liters are in a meter?") the model says so, and the value printed is nan.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    asked = read_questions(questions)
    if not asked:
        raise SystemExit('no question given: pass one or more questions, or "-" to read them from stdin')
    llm = build_model(model, adapter_dir)
    results = llm.answer_with_completions(*asked)
    values = [None if math.isnan(value) else value for _, value in results]
    for question, (completion, _) in zip(asked, results):
        shown = refusal_sentence(completion) or completion.strip()  # a refusal: its sentence, without the tag
        print(shown if len(asked) == 1 else f"{question}\t{shown}")
    print(f"{values[0]:.10g}" if len(asked) == 1 and values[0] is not None else
          "nan" if len(asked) == 1 else json.dumps(values))


def main(argv: list[str] | None = None) -> int:
    """A small argparse front end, so "-" and exit codes behave as in any Unix tool."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m homework.ask", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="+", help='questions, or "-" to read one per line from stdin')
    parser.add_argument("--model", default="rft", choices=MODELS, help="which model answers (default rft)")
    parser.add_argument("--adapter_dir", default=None, help="another trained adapter folder of that kind")
    args = parser.parse_args(argv)
    try:
        ask(*args.questions, model=args.model, adapter_dir=args.adapter_dir)
    except SystemExit as error:
        if isinstance(error.code, str):
            print(f"ask: {error.code}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
