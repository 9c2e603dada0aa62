"""Milliseconds per decoding step of the lean loop at a given batch size: what a batch's tail costs.

    python -m benchmarks.decode_step --batch 1 8 32 64 128
Each row reads a 24-token prompt, then writes a fixed token (the output matrix is left out), so the
figure is the layers' cost of one step for that many rows.
"""

import argparse
import time

import torch

from benchmarks.generation import build


def step_ms(decoder, batch: int) -> float:
    rows = [[1] + list(range(100, 123)) for _ in range(batch)]
    fixed = lambda hidden, ids: torch.full((hidden.shape[0],), 1000)  # noqa: E731

    def run(steps: int) -> float:
        start = time.time()
        decoder.generate(rows, None, steps, pick=fixed)
        return time.time() - start

    run(3)
    return (run(22) - run(2)) / 20 * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8, 32, 64, 128])
    args = parser.parse_args()
    decoder = build("sft")._lean_decoder()
    with torch.inference_mode():
        for batch in args.batch:
            ms = step_ms(decoder, batch)
            print(f"batch {batch}: {ms:.1f} ms per step, {ms / batch:.2f} ms per row")


if __name__ == "__main__":
    main()
