"""python3 -m grader UTID.zip [-v]: grade a submission folder or zip; exit 0 only when every case passes."""

import argparse
import logging
import sys
from pathlib import Path

from .cases import CaseResult, Limits, grade_model
from .loader import SubmissionError, import_package, unpack, workspace

KINDS = ("cot", "sft", "rft")


def grade(submission: str, kinds=KINDS, limits: Limits = Limits()) -> list[CaseResult]:
    with workspace() as tmp:
        package = import_package(unpack(submission, Path(tmp)))
        return [result for kind in kinds for result in grade_model(package, kind, limits)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m grader", description=__doc__)
    parser.add_argument("submission", help="a package folder (homework) or a zip made by bundle.py")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each case's message and tracebacks")
    parser.add_argument("--models", default=",".join(KINDS), help="which models to grade, e.g. sft,rft")
    defaults = Limits()
    parser.add_argument("--load_timeout", type=float, default=defaults.load_s, help="seconds to load one model")
    parser.add_argument("--generation_timeout", type=float, default=defaults.generation_s,
                        help="seconds for one model's generation case")
    parser.add_argument("--seconds_per_question", type=float, default=defaults.seconds_per_question,
                        help=f"accuracy case limit: {defaults.accuracy_base_s:g} s plus this per question")
    args = parser.parse_args(argv)
    limits = Limits(load_s=args.load_timeout, generation_s=args.generation_timeout,
                    seconds_per_question=args.seconds_per_question)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        results = grade(args.submission, tuple(args.models.split(",")), limits)
    except SubmissionError as error:
        print(f"grader: {error}", file=sys.stderr)
        return 2
    for r in results:
        if r.message.startswith("timed out"):
            print(f"grader: {r.name} {r.message}", file=sys.stderr)
        print(f"{r.score:6.2f} / {r.max_score:<5g} {r.name}" + (f": {r.message}" if args.verbose else ""))
        if args.verbose and r.error:
            print(r.error)
    total, most = sum(r.score for r in results), sum(r.max_score for r in results)
    print(f"total score: {total:.2f} / {most:g}")
    return 0 if all(r.score > 0 or r.max_score == 0 for r in results if "extra" not in r.name) else 1


if __name__ == "__main__":
    sys.exit(main())
