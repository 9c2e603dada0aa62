"""Sampling with one random stream per sequence, so a sample depends on its own seed only.

transformers samples every sequence of a batch from one global generator, so a question's samples
change with whatever else shares its batch, and with how many processes split the work. Here each
sequence draws Gumbel noise from its own generator and decoding takes the argmax, which is a sample
of softmax(logits / temperature) (the Gumbel-max trick): the same seed gives the same sample in any
batch, on any process, after any resume.
"""

import torch
from transformers import LogitsProcessor


class SeededGumbelSampling(LogitsProcessor):
    """Turns greedy decoding into sampling at `temperature`, row i drawing its noise from seeds[i]."""

    def __init__(self, seeds: list[int], temperature: float):
        if temperature <= 0:
            raise ValueError(f"sampling needs a temperature above 0, got {temperature}")
        self.temperature = temperature
        self.generators = [torch.Generator().manual_seed(int(s)) for s in seeds]

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        """generate()'s hook: the scores of every row, noised, for its greedy argmax."""
        if scores.shape[0] != len(self.generators):
            raise ValueError(f"{scores.shape[0]} sequences but {len(self.generators)} seeds")
        return self.noised(scores, range(len(self.generators)))

    def noised(self, scores: torch.Tensor, rows) -> torch.Tensor:
        """scores / temperature plus Gumbel noise, row k's drawn from the generator of input row rows[k]."""
        uniform = torch.stack([torch.rand(scores.shape[1], generator=self.generators[i]) for i in rows])
        gumbel = -torch.log(-torch.log(uniform.to(scores.device).clamp_min(1e-20)))
        return scores.float() / self.temperature + gumbel

    def pick(self, decoder):
        """A next-token chooser for decoding.LeanDecoder: live row k draws from the generator of input row ids[k]."""
        def choose(hidden: torch.Tensor, ids: list[int]) -> torch.Tensor:
            return self.noised(decoder.logits(hidden), ids).argmax(-1)

        return choose


def sequence_seeds(seeds: list[int], n: int) -> list[int]:
    """The seed of each of n samples per prompt, in the order generate() returns them.

    sequence_seeds([7, 8], 2) -> [7000022, 7007941, 8000025, 8007944]
    """
    return [s * 1_000_003 + k * 7919 + 1 for s in seeds for k in range(n)]
