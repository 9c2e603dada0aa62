"""A lean decoding loop for Llama-architecture models (all SmolLM2 sizes), used by BaseLLM by default.

transformers' generate() pays, at every step, for work a batch of short answers does not need: it
grows the key/value cache by concatenation, keeps computing rows that have already closed their
answer, checks stop strings on every row, and multiplies the hidden state by the whole 49152-word
output matrix in one call that runs at a third of the CPU's matrix rate. This loop calls the model's
own layers (so LoRA-wrapped or merged weights, norms and MLPs compute exactly as in transformers) and
changes only what surrounds them:
  - one key/value buffer per layer, written in place (a row that leaves is overwritten by one live row;
    buffers are copied only when rows join);
  - a prompt prefix shared by the batch (PrefixCache) is computed once: a long one (CoT's) is attended
    to where it lies, once for all rows, in one call per layer (on a CPU torch's flash-attention kernel)
    instead of being copied into every row; a short one (SFT's "Question:") is copied into every row's
    buffers;
  - rows that have finished leave the batch and waiting rows join it, so every step computes a full
    batch of live rows instead of a shrinking tail;
  - prompts are read in passes of similar length and at most PREFILL_TOKENS positions, the products
    and MLP computing their real tokens only, attention alone seeing the padding;
  - on a CPU in float32, every product is applied through oneDNN's packed kernel (packed_linear.py:
    12% faster in all, the wide output matrix 1.5-2x);
  - the output matrix is applied a part of the vocabulary at a time, greedy decoding keeping only
    each part's best word (output_head.py);
  - a stop string is looked for only in rows whose new token can end it;
  - on a CPU, memory freed by one step stays in the process for the next (allocator.py).
Greedy outputs equal generate()'s (tests/test_decoding.py); BaseLLM(decoder="generate") keeps the old path.
"""

from dataclasses import dataclass
from typing import Callable

import torch
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

from .allocator import keep_freed_memory
from .rows import Rows
from .output_head import OutputHead
from .packed_linear import PackedLinear
from .prefix_cache import inner_model, is_long

PREFILL_WASTE = 0.5  # padding allowed when prompts of different lengths are read together (attention's alone)
PREFILL_TOKENS = 800  # positions (rows x longest prompt) read in one pass: larger passes ran slower
# torch's CPU flash-attention kernel, which also returns the logsumexp of the scores (absent: plain products)
FLASH_CPU = getattr(torch.ops.aten, "_scaled_dot_product_flash_attention_for_cpu", None)
PACK_BUDGET = 2 * 2**30  # bytes of layer weights up to which the layers are packed too (a copy: 135M 0.4 GB)


def supports(model) -> bool:
    """True for decoder-only models laid out as Llama (embed, rotary, layers of attention + MLP, norm, head)."""
    lm = inner_model(model)
    config = getattr(lm, "config", None)
    if getattr(config, "model_type", None) != "llama" or not hasattr(lm, "lm_head"):
        return False
    layers = getattr(getattr(lm, "model", None), "layers", [])
    return len(layers) > 0 and all(
        all(hasattr(layer.self_attn, name) for name in ("q_proj", "k_proj", "v_proj", "o_proj", "head_dim", "scaling"))
        and all(hasattr(layer.mlp, name) for name in ("gate_proj", "up_proj", "down_proj", "act_fn"))
        for layer in layers)


class LayerProducts:
    """A layer's seven products, each through PackedLinear; pack=False keeps them all as the modules compute."""

    def __init__(self, layer, pack: bool):
        attn, mlp = layer.self_attn, layer.mlp
        self.q, self.k, self.v, self.o = (PackedLinear(m, pack) for m in (attn.q_proj, attn.k_proj, attn.v_proj,
                                                                             attn.o_proj))
        self.gate, self.up, self.down = (PackedLinear(m, pack) for m in (mlp.gate_proj, mlp.up_proj, mlp.down_proj))
        self.act = mlp.act_fn

    def mlp(self, h: torch.Tensor) -> torch.Tensor:
        """down(act(gate(h)) * up(h)), as LlamaMLP computes it, the product written in place."""
        hidden = self.act(self.gate(h))
        return self.down(hidden.mul_(self.up(h)))


def layer_bytes(layers) -> int:
    """Bytes of the layers' weights: what packing them copies."""
    return sum(p.numel() * p.element_size() for layer in layers for p in layer.parameters())


class SharedPrefix:
    """A prompt prefix's keys and values as every row reads them, (1, kv heads, P, head size) per layer.

    All rows' queries meet the prefix in one call per layer (attend), which gives the softmax-weighted
    values and the log of the softmax's sum; attention() merges them with each row's own positions, so
    the prefix's (queries x P) scores never leave the call. On a CPU the call is torch's flash-attention
    kernel, which keeps its scores in cache: CoT's 446-token prefix, 30 layers, 86 -> 65 ms for a
    200-row step and 491 -> 265 ms for a 750-token prompt pass against products and softmax step by step
    (2-core AMD EPYC, AVX2, float32; commit 0083765, 2026-12-01). Elsewhere the same is computed in plain products.
    """

    def __init__(self, prefix):
        self.layers = prefix.layers  # (keys, values) per layer, each (1, kv heads, P, head size)

    def attend(self, index: int, queries: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """queries (kv heads, n, head size), already scaled -> the prefix's softmax-weighted values
        (kv heads, n, head size) and the logsumexp of the scores (kv heads, n), in float32."""
        keys, values = self.layers[index]
        if queries.device.type == "cpu" and FLASH_CPU is not None:
            out, logsumexp = FLASH_CPU(queries[None], keys, values, 0.0, False, scale=1.0)
            return out[0], logsumexp[0]
        scores = (queries @ keys[0].transpose(1, 2)).float()
        top = scores.amax(-1, keepdim=True)
        weights = scores.sub_(top).exp_()
        total = weights.sum(-1, keepdim=True)
        out = (weights.to(queries.dtype) @ values[0]) / total.to(queries.dtype)
        return out, (top + total.log()).squeeze(-1)


def prefill_groups(lengths: list[int], waste: float = PREFILL_WASTE, most: int = PREFILL_TOKENS) -> list[list[int]]:
    """Indices of prompts grouped for reading, longest first, each group's padding at most `waste` of its
    real tokens and its positions (rows x its longest prompt) at most `most`, unless one prompt is longer:
    prefill_groups([4, 12, 11, 4]) -> [[1, 2, 0], [3]]."""
    order = sorted(range(len(lengths)), key=lambda k: -lengths[k])
    groups, total = [], 0
    for k in order:
        rows, longest = (len(groups[-1]) + 1, lengths[groups[-1][0]]) if groups else (1, lengths[k])
        if groups and rows <= (1 + waste) * (total + lengths[k]) / longest and rows * longest <= most:
            groups[-1].append(k)
            total += lengths[k]
        else:
            groups.append([k])
            total = lengths[k]
    return groups


@dataclass
class Call:
    """What one generate() call holds while rows come and go: its prefix, limits, chooser and the output."""
    prefix_len: int  # tokens of the shared prompt start, before each row's own
    max_new_tokens: int
    shared: SharedPrefix | None  # a long prefix, attended where it lies
    copied: object  # a short PrefixCache, copied into each row's buffers (or None)
    pick: Callable  # pick(hidden, ids) -> each row's next token
    out: list[list[int]]  # new tokens per input row

    def next_tokens(self, hidden: torch.Tensor, ids: list[int]) -> list[int]:
        """Each row's next token, appended to the output of the input row it answers; the rows read them next."""
        tokens = self.pick(hidden, ids).tolist()
        for row, token in zip(ids, tokens):
            self.out[row].append(token)
        return tokens


@dataclass
class Pass:
    """What every layer of one forward pass reads: the rows, the layout of their tokens, positions, mask."""
    state: Rows
    shared: SharedPrefix | None
    rows: int  # b
    width: int  # L, positions per row in this pass
    keep: torch.Tensor | None  # the real positions of the (b * L) grid, or None when all are real
    rotary: tuple  # (cos, sin) of the positions
    bias: torch.Tensor  # (b, 1, 1, L, end): 0 where a query may look, -inf elsewhere


class LeanDecoder:
    """Batched decoding with the model's own layers; see the module docstring for what it changes."""

    def __init__(self, model, tokenizer, stop: str):
        self.model = model
        lm = inner_model(model)
        self.body, self.layers = lm.model, list(lm.model.layers)
        config = lm.config
        self.kv_heads = config.num_key_value_heads
        self.head_dim = self.layers[0].self_attn.head_dim
        self.head = OutputHead(lm.lm_head)
        pack = layer_bytes(self.layers) <= PACK_BUDGET
        self.products = [LayerProducts(layer, pack) for layer in self.layers]
        if self.body.embed_tokens.weight.device.type == "cpu":
            keep_freed_memory()  # each step frees what the next one allocates: keep it mapped
        self.tokenizer, self.stop = tokenizer, stop
        self.eos = tokenizer.eos_token_id
        # tokens whose text holds the stop string's last character: only these can complete it
        last = stop[-1]
        self.may_stop = {i for i, t in enumerate(tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))))
                         if t is not None and last in t}

    @torch.inference_mode()
    def generate(self, rows: list[list[int]], prefix=None, max_new_tokens: int = 60, pick=None,
                 batch: int | None = None, progress=None) -> list[list[int]]:
        """New token ids per row, ending with EOS or the token that completes the stop string.

        rows: token ids (each starting with the prefix's, when a PrefixCache is given), admitted in this
        order. At most `batch` rows are decoded together; when a quarter of them have finished, the next
        rows are read (their prompts in one pass) and join the batch, so that every step multiplies a full
        batch instead of a shrinking tail. pick(hidden, ids) chooses each row's next token from its final
        hidden state (ids: the input rows they answer); None means greedy. progress(k) is called as k
        rows finish.
        """
        shared = self.shared_prefix(prefix)
        call = Call(prefix_len=len(prefix) if prefix is not None else 0, max_new_tokens=max_new_tokens,
                    shared=shared, copied=prefix if prefix is not None and shared is None else None,
                    pick=pick or (lambda hidden, ids: self.greedy(hidden)), out=[[] for _ in rows])
        batch = batch or len(rows)
        waiting = list(range(len(rows)))
        state = None
        while waiting or state is not None:
            if waiting and (state is None or len(state) <= batch * 3 // 4):
                free = batch - (0 if state is None else len(state))
                admitted, waiting = waiting[:free], waiting[free:]
                fresh = self.read([rows[i][call.prefix_len:] for i in admitted], admitted, call)
                state = fresh if state is None else Rows.join([state, fresh], max_new_tokens)
            else:
                last = torch.tensor(state.feed, device=state.valid.device)[:, None]
                hidden = self.forward(last, state.position[:, None], torch.ones_like(last, dtype=torch.bool), state,
                                      shared)
                state.position += 1
                state.feed = call.next_tokens(hidden, state.ids)
            live = [k for k, row in enumerate(state.ids) if not self.finished(call.out[row], max_new_tokens)]
            if progress is not None and len(live) < len(state):
                progress(len(state) - len(live))
            if not live:
                state = None
            elif len(live) < len(state):  # finished rows leave: later steps compute live rows only
                state.keep(live)
        return call.out

    def shared_prefix(self, prefix) -> SharedPrefix | None:
        """The PrefixCache as the loop reads it (a view of its layers: nothing is copied or packed);
        None for a short one (prefix_cache.is_long), which is copied into the rows instead: reading a few
        positions more per row costs less than the prefix's own products and sums at every layer."""
        return SharedPrefix(prefix) if is_long(prefix) else None

    def read(self, own: list[list[int]], ids: list[int], call: "Call") -> Rows:
        """Rows for these prompts (after the call's shared prefix), read in few passes, first token chosen.
        A copied prefix (a short PrefixCache) is written into each row's buffers before its own tokens.

        Prompts are read in groups of similar length (prefill_groups), each padded only to its own
        longest prompt and written right-aligned into one set of buffers. The products see only the
        real tokens (forward): on 200 SFT questions the padding was 9% of the positions read.
        """
        p, copied = call.prefix_len, call.copied
        width = max(len(r) for r in own) + (p if copied is not None else 0)
        device = self.body.embed_tokens.weight.device
        rows = Rows(len(self.layers), len(own), self.kv_heads, self.head_dim, width + call.max_new_tokens,
                    self.body.embed_tokens.weight)
        groups = prefill_groups([len(r) for r in own], PREFILL_WASTE, PREFILL_TOKENS)
        order = [k for group in groups for k in group]
        rows.ids = [ids[k] for k in order]
        hidden, next_positions, start = [], [], 0
        for group in groups:
            part = [own[k] for k in group]
            longest = max(len(r) for r in part)
            tokens = torch.tensor([[0] * (longest - len(r)) + r for r in part], device=device)
            real = torch.tensor([[False] * (longest - len(r)) + [True] * len(r) for r in part], device=device)
            positions = (p + real.long().cumsum(-1) - 1).clamp_min(p)
            view = rows.part(start, start + len(part), width - longest, copied)
            hidden.append(self.forward(tokens, positions, real, view, call.shared))
            next_positions.append(positions[:, -1] + 1)
            start += len(part)
        rows.length = width
        rows.position = torch.cat(next_positions)
        rows.feed = call.next_tokens(torch.cat(hidden), rows.ids)
        return rows

    def finished(self, tokens: list[int], max_new_tokens: int) -> bool:
        """EOS, the stop string completed by the last token, or no room left."""
        token = tokens[-1]
        return (len(tokens) >= max_new_tokens or token == self.eos
                or (token in self.may_stop and self.stop in self.tokenizer.decode(tokens)))

    def forward(self, tokens, positions, real, state: Rows, shared) -> torch.Tensor:
        """Run `tokens` (b, L) through the model, writing their keys/values; the last position's final hidden state.

        Where prompts are padded, the products, norms and MLP see only the real tokens, as one (tokens,
        hidden) matrix; attention alone lays them out as (b, L) (spread), the padding left of each row.
        """
        b, width = tokens.shape
        start, end = state.length, state.length + width
        state.valid[:, start:end] = real
        # a query sees the real tokens up to itself, and always itself (so a padding query has a finite softmax)
        key_at = torch.arange(end, device=tokens.device)
        query_at = torch.arange(start, end, device=tokens.device)[:, None]
        allowed = (state.valid[:, None, :end] & (key_at <= query_at)) | (key_at == query_at)
        # the real positions, row by row (a decoding step's one token a row is real: no check, no device sync)
        keep = None if width == 1 or bool(real.all()) else real.flatten().nonzero()[:, 0]
        x = self.body.embed_tokens(tokens if keep is None else tokens.flatten()[keep])
        bias = torch.zeros(allowed.shape, dtype=x.dtype, device=x.device).masked_fill_(~allowed, float("-inf"))
        step = Pass(state=state, shared=shared, rows=b, width=width, keep=keep,
                    rotary=self.body.rotary_emb(x, positions), bias=bias[:, None, None])
        for index, (layer, products) in enumerate(zip(self.layers, self.products)):
            x = x + self.attention(layer.self_attn, products, layer.input_layernorm(x), index, step)
            x = x + products.mlp(layer.post_attention_layernorm(x))
        state.length = end
        last = x[:, -1] if keep is None else x[real.sum(-1).cumsum(0) - 1]  # rows end at their last position
        return self.body.norm(last)

    def attention(self, attn, products: LayerProducts, h, index: int, step: "Pass") -> torch.Tensor:
        """Self-attention over [shared prefix][this row's own tokens], the prefix read once for all rows.

        h is (b, L, hidden), or its real positions `step.keep` alone, (tokens, hidden).
        """
        b, width, keep, state, shared = step.rows, step.width, step.keep, step.state, step.shared
        kv, d = self.kv_heads, self.head_dim

        def spread(y: torch.Tensor) -> torch.Tensor:  # -> (b, heads, L, d), padding positions zero
            if keep is not None:
                y = y.new_zeros(b * width, y.shape[-1]).index_copy_(0, keep, y)
            return y.view(b, width, -1, d).transpose(1, 2)

        query, key, value = spread(products.q(h)), spread(products.k(h)), spread(products.v(h))
        query, key = apply_rotary_pos_emb(query, key, *step.rotary)
        start, end = state.length, state.length + width
        keys, values = state.keys[index], state.values[index]
        keys[:, :, start:end] = key
        values[:, :, start:end] = value
        groups = query.shape[1] // kv
        # query heads j*g .. j*g+g-1 read key/value head j; the scale is applied to the query (exact for 1/8)
        query = (query * attn.scaling).reshape(b, kv, groups * width, d)
        own = (query @ keys[:, :, :end].transpose(-1, -2)).view(b, kv, groups, width, end).float() + step.bias
        top = own.amax(-1)  # each query's largest score, or the prefix's logsumexp if larger: the softmax's shift
        if shared is not None:  # all rows' queries against the prefix, one call per layer
            prefix, logsumexp = shared.attend(index, query.transpose(0, 1).reshape(kv, b * groups * width, d))
            logsumexp = logsumexp.view(kv, b, groups, width).transpose(0, 1)
            top = torch.maximum(top, logsumexp)
        # softmax in two parts, normalised once at the end: no scores concatenated, no probabilities copied
        weights = own.sub_(top[..., None]).exp_()
        total = weights.sum(-1)
        out = weights.to(query.dtype).view(b, kv, groups * width, end) @ values[:, :, :end]
        if shared is not None:  # the prefix's part of the sum is exp(logsumexp - shift); its values come normalised
            share = logsumexp.sub(top).exp_()
            total = total + share
            out = out + prefix.view(kv, b, groups * width, d).transpose(0, 1) * share.to(out.dtype).reshape(
                b, kv, groups * width, 1)
        out = out / total.to(out.dtype).view(b, kv, groups * width, 1)
        out = out.reshape(b, kv * groups, width, d).transpose(1, 2).reshape(b, width, kv * groups * d)
        return products.o(out if keep is None else out.view(b * width, -1)[keep])

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.head.logits(hidden)

    def greedy(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.head.greedy(hidden)
