"""python3 -m grader UTID.zip [-v]: grade a submission folder or zip; exit 0 only when every case passes."""

import argparse
import logging
import sys
from pathlib import Path

from .cases import CaseResult, grade_model
from .loader import SubmissionError, import_package, unpack, workspace

KINDS = ("cot", "sft", "rft")


def grade(submission: str, kinds=KINDS, timeout_s: float = 900) -> list[CaseResult]:
    with workspace() as tmp:
        package = import_package(unpack(submission, Path(tmp)))
        return [result for kind in kinds for result in grade_model(package, kind, timeout_s)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m grader", description=__doc__)
    parser.add_argument("submission", help="a package folder (homework) or a zip made by bundle.py")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each case's message and tracebacks")
    parser.add_argument("--models", default=",".join(KINDS), help="which models to grade, e.g. sft,rft")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per case")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        results = grade(args.submission, tuple(args.models.split(",")), args.timeout)
    except SubmissionError as error:
        print(f"grader: {error}", file=sys.stderr)
        return 2
    for r in results:
        print(f"{r.score:6.2f} / {r.max_score:<5g} {r.name}" + (f": {r.message}" if args.verbose else ""))
        if args.verbose and r.error:
            print(r.error)
    total, most = sum(r.score for r in results), sum(r.max_score for r in results)
    print(f"total score: {total:.2f} / {most:g}")
    return 0 if all(r.score > 0 or r.max_score == 0 for r in results if "extra" not in r.name) else 1


if __name__ == "__main__":
    sys.exit(main())
