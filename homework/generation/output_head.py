"""The output matrix of a decoder (hidden state -> one logit per word), applied where it runs fastest."""

import torch

from .packed_linear import PackedLinear

HEAD_SLICE = 4096  # output-matrix rows per product where it is not packed: 4096 x 576 floats (9 MB)
PACKED_PART = 16384  # output-matrix rows per packed product: 16384 x 576 floats (38 MB)
PACKED_HEAD = True  # on a CPU in float32, apply the output matrix packed for oneDNN


class OutputHead:
    """The output matrix (hidden state -> one logit per word), applied a part of the vocabulary at a time.

    Greedy decoding keeps only each part's best word instead of the full logits. On a CPU in float32
    each part is applied packed for oneDNN (PackedLinear): 95-102 GFLOP/s for 64-200 rows of the
    49152 x 576 matrix, where MKL's plain product reached 45-59 (2-core AMD EPYC, AVX2, hot cache). Its parts are
    PACKED_PART words, so that all rows meet each part of the matrix once, while it is in cache: one
    full product per 64 rows read the whole matrix from memory 4 times for 200 rows, 130 ms where the
    parts take 100 (commit 5fde21f, 2026-11-30); the logits are the same bits. Elsewhere the parts are
    HEAD_SLICE words, through F.linear.
    """

    def __init__(self, linear: torch.nn.Linear):
        self.linear = linear
        self.packed_parts = self._parts(PACKED_PART, pack=True)
        self.plain_parts = self._parts(HEAD_SLICE, pack=False)

    def _parts(self, words: int, pack: bool) -> list[tuple[int, PackedLinear]]:
        rows = self.linear.weight.shape[0]
        return [(start, PackedLinear(self.linear, pack, outputs=slice(start, start + words)))
                for start in range(0, rows, words)]

    def parts(self) -> list[tuple[int, PackedLinear]]:
        """(first word, hidden -> that part's logits) for each part of the vocabulary, in order."""
        if PACKED_HEAD and self.packed_parts[0][1].packed() is not None:
            return self.packed_parts
        return self.plain_parts

    @torch.inference_mode()  # the packed copies are made, and used, without autograd
    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Float32 logits over the whole vocabulary."""
        hidden = hidden.contiguous()
        return torch.cat([product(hidden) for _, product in self.parts()], -1).float()

    @torch.inference_mode()
    def greedy(self, hidden: torch.Tensor) -> torch.Tensor:
        """The most likely next token per row (the first on a tie, as argmax)."""
        hidden = hidden.contiguous()
        best_value = best_token = None
        for start, product in self.parts():
            value, token = product(hidden).float().max(-1)
            if best_value is None:
                best_value, best_token = value, token + start
            else:
                better = value > best_value
                best_value = torch.where(better, value, best_value)
                best_token = torch.where(better, token + start, best_token)
        return best_token
