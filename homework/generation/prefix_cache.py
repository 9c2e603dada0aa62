"""Compute the keys and values of a prompt prefix once and reuse them for every prompt that starts with it.

Every CoT prompt repeats the same system text and worked examples (hundreds of tokens) before a
short question, and datagen repeats each prompt k times. Without this, every micro-batch recomputes
that prefix; with it, only the question's tokens and the answer are computed.
"""

import inspect

import torch
from transformers import StaticCache


# The one rule for a shared prompt start, in both decoders: one of at least LONG_PREFIX_TOKENS (CoT's
# examples) is held once and read by reference (the lean loop attends it where it lies, generate() expands
# a cache of it); a shorter one (SFT's "Question:") costs less held by every row (the lean loop copies its
# keys and values into the rows, generate() recomputes it).
LONG_PREFIX_TOKENS = 32


def inner_model(model):
    """The causal LM under a PEFT wrapper, or the model itself."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def cache_argument(model) -> str:
    """What transformers calls a model's key/value cache, in its forward and generate() arguments and its
    outputs: `cache` from 5.2x on (the old name still works there, with a deprecation warning),
    `past_key_values` before (5.17 on the GPU machine)."""
    return "cache" if "cache" in inspect.signature(inner_model(model).forward).parameters else "past_key_values"


def is_long(prefix) -> bool:
    """True for a PrefixCache that is read by reference (see LONG_PREFIX_TOKENS)."""
    return prefix is not None and len(prefix) >= LONG_PREFIX_TOKENS


def shared_prefix_length(rows: list[list[int]]) -> int:
    """Tokens all rows start with, leaving each row at least one token of its own (generate needs one).

    shared_prefix_length([[1, 2, 3, 4], [1, 2, 5]]) -> 2
    """
    if not rows:
        return 0
    shortest = min(len(r) for r in rows)
    n = 0
    while n < shortest - 1 and all(r[n] == rows[0][n] for r in rows):
        n += 1
    return n


class PrefixCache:
    """The key/value cache of one token prefix under one model; `expand` copies it for a batch."""

    def __init__(self, model, prefix_ids: list[int]):
        self.model = model
        self.prefix_ids = tuple(prefix_ids)
        ids = torch.tensor([prefix_ids], device=model.device)
        with torch.inference_mode():
            cache = model(input_ids=ids, use_cache=True)[cache_argument(model)]
        self.layers = [(layer.keys.clone(), layer.values.clone()) for layer in cache.layers]

    def serves(self, model, rows: list[list[int]]) -> bool:
        """True when this cache was computed by `model` and every row starts with the prefix and goes on."""
        n = len(self.prefix_ids)
        return model is self.model and all(len(r) > n and tuple(r[:n]) == self.prefix_ids for r in rows)

    def expand(self, batch: int, max_len: int) -> StaticCache:
        """A fresh cache of room for max_len tokens holding the prefix `batch` times; generate() writes into it.

        A static cache, because growing a dynamic one by concatenation copies (and page-faults in) the
        whole prefix on every generated token: most of CoT's time on CPU went there.
        """
        cache = StaticCache(config=self.model.config, max_cache_len=max_len)
        positions = torch.arange(len(self.prefix_ids), device=self.model.device)
        for layer, (k, v) in enumerate(self.layers):
            cache.update(k.expand(batch, -1, -1, -1), v.expand(batch, -1, -1, -1), layer,
                         {"cache_position": positions})
        return cache

    def __len__(self) -> int:
        return len(self.prefix_ids)


def batch_after_prefix(rows: list[list[int]], prefix_len: int, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """input_ids and attention_mask for rows that share `prefix_len` cached tokens (0: plain left padding).

    Each row is laid out as [prefix][padding][its own tokens]: padding sits between the cached prefix
    and the row's own tokens, masked out, so every row ends where generation starts and position ids
    (attention-mask cumsum) run on from the prefix exactly as in the uncached prompt.
    """
    width = max(len(r) for r in rows) - prefix_len
    ids, mask = [], []
    for r in rows:
        own = r[prefix_len:]
        gap = width - len(own)
        ids.append(r[:prefix_len] + [pad_id] * gap + own)
        mask.append([1] * prefix_len + [0] * gap + [1] * len(own))
    return torch.tensor(ids), torch.tensor(mask)
