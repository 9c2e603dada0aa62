"""Linear layers applied through oneDNN's packed kernel on a CPU in float32, where it is faster than MKL.

torch multiplies by an nn.Linear's weight through MKL on a CPU. oneDNN, which torch also carries, has
its own kernels for the vector units of any x86 processor; given the weight once reordered into its
blocked layout ("packed"), it ran the 135M's products 10-40% faster for 200 rows and 10-15% faster for
1610 rows (2-core AMD EPYC, AVX2, float32, hot cache; the output matrix 1.5-2x), and the lean loop 12%
faster as a whole. Its results differ from MKL's in the last bits (1-4e-6 on these layers) but, unlike
MKL's, do not depend on how many rows are multiplied together: MKL gives a row other last bits when it
multiplies fewer than ~16 rows, so with it a row's logits depended on how many rows were still writing.
The packed copy is rebuilt when the weight changes, in place or by a new tensor.
"""

import torch


def packable(weight: torch.Tensor) -> bool:
    """True where the packed kernel applies: a CPU float32 weight, with torch built with oneDNN."""
    return (weight.device.type == "cpu" and weight.dtype == torch.float32 and torch.backends.mkldnn.is_available()
            and hasattr(torch.ops.mkldnn, "_linear_pointwise"))


def pack(weight: torch.Tensor) -> torch.Tensor:
    """A (out, in) weight reordered for oneDNN's linear kernel."""
    with torch.inference_mode():
        return torch.ops.mkldnn._reorder_linear_weight(weight.detach())


def packed_product(x: torch.Tensor, packed: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """x @ weight.T (+ bias) for a weight made by pack(): x (..., in) -> (..., out)."""
    shape = x.shape
    out = torch.ops.mkldnn._linear_pointwise(x.reshape(-1, shape[-1]), packed, bias, "none", [], "")
    return out.view(*shape[:-1], out.shape[-1])


class PackedLinear:
    """x -> linear(x): through the packed kernel where it applies, else through the module itself.

    Only a plain nn.Linear is packed; a wrapped one (an unmerged LoRA layer) computes as its own forward.
    `outputs` (a slice of the weight's rows) keeps only those outputs: the output matrix is applied
    a part of the vocabulary at a time (output_head.OutputHead).
    """

    def __init__(self, linear: torch.nn.Module, pack: bool = True, outputs: slice | None = None):
        self.linear = linear
        self.plain = type(linear) is torch.nn.Linear
        self.enabled = pack and self.plain
        self.outputs = outputs or slice(None)
        self._copy, self._copy_of = None, None

    def packed(self) -> torch.Tensor | None:
        """The weight reordered for oneDNN, made on first use and again after the weight changed; None where not packed."""
        weight = self.linear.weight
        if not (self.enabled and packable(weight)):
            return None
        source = (weight.data_ptr(), 0 if weight.is_inference() else weight._version)  # inference tensors keep none
        if self._copy is None or self._copy_of != source:
            self._copy, self._copy_of = pack(weight[self.outputs]), source
        return self._copy

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        packed = self.packed()
        if packed is None and not self.plain:
            return self.linear(x)[..., self.outputs]  # a wrapped layer: its own forward, then the outputs kept
        bias = self.linear.bias
        bias = None if bias is None else bias[self.outputs]
        if packed is None:  # only the kept outputs are computed
            return torch.nn.functional.linear(x, self.linear.weight[self.outputs], bias)
        return packed_product(x, packed, bias)
