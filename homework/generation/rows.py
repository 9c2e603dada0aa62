"""Rows: the rows the lean loop (decoding.py) decodes together, and their key/value buffers, one per layer,
written in place: rows leave by taking each other's slots, join by copying into new buffers, and a
group of rows is read as a view of the buffers.
"""

import torch


class Rows:
    """The rows being decoded: their key/value buffers (one per layer, written in place), which buffer
    positions hold real tokens, each row's next token and position, and the input row it answers.

    All rows share one write position (`length`); a row's tokens end there, left of them is masked.
    """

    def __init__(self, layers: int, batch: int, kv_heads: int, head_dim: int, room: int, like: torch.Tensor):
        shape = (batch, kv_heads, room, head_dim)
        self.keys = [like.new_empty(shape) for _ in range(layers)]
        self.values = [like.new_empty(shape) for _ in range(layers)]
        self.valid = torch.zeros(batch, room, dtype=torch.bool, device=like.device)
        self.length = 0  # buffer positions filled
        self.ids: list[int] = list(range(batch))  # the input row each row answers
        self.feed: list[int] = []  # the token each row reads next
        self.position = torch.zeros(batch, dtype=torch.long, device=like.device)  # its position id

    def __len__(self) -> int:
        return len(self.ids)

    def span(self) -> int:
        """Buffer positions that some row still needs: from the leftmost real token to `length`."""
        first = self.valid[:, :self.length].float().argmax(-1)  # each row's first real position
        return self.length - int(first.min()) if len(self) else 0

    def keep(self, live: list[int]) -> None:
        """Keep only the rows at these batch positions, in place. Each finished row's slot below the new
        size takes a live row from above it, so a step copies as many rows as have just finished, where
        copying the live rows into new buffers copied them all (and touched fresh memory)."""
        size, kept = len(live), set(live)
        holes = [k for k in range(size) if k not in kept]
        movers = [k for k in live if k >= size]
        if holes:
            device = self.valid.device
            to, source = torch.tensor(holes, device=device), torch.tensor(movers, device=device)
            for buffer in self.keys + self.values:
                buffer[to, :, :self.length] = buffer[source, :, :self.length]
            self.valid[to] = self.valid[source]
            self.position[to] = self.position[source]
            for hole, mover in zip(holes, movers):
                self.ids[hole], self.feed[hole] = self.ids[mover], self.feed[mover]
        self.keys = [k[:size] for k in self.keys]
        self.values = [v[:size] for v in self.values]
        self.valid, self.position = self.valid[:size], self.position[:size]
        self.ids, self.feed = self.ids[:size], self.feed[:size]

    def part(self, start: int, end: int, at: int, prefix=None) -> "Rows":
        """Rows start..end of these buffers, as a view that writes into them from position `at`.
        Positions left of `at` are masked for these rows and zeroed, as a masked value must be finite;
        a copied prefix (a PrefixCache) fills the positions just left of `at`, unmasked."""
        view = Rows.__new__(Rows)
        view.keys = [k[start:end] for k in self.keys]
        view.values = [v[start:end] for v in self.values]
        for buffer in view.keys + view.values:
            buffer[:, :, :at] = 0
        view.valid, view.length = self.valid[start:end], at
        if prefix is not None:
            first = at - len(prefix)
            for keys, values, (prefix_keys, prefix_values) in zip(view.keys, view.values, prefix.layers):
                keys[:, :, first:at] = prefix_keys
                values[:, :, first:at] = prefix_values
            view.valid[:, first:at] = True
        view.ids, view.feed, view.position = self.ids[start:end], [], self.position[start:end]
        return view

    @staticmethod
    def join(parts: list["Rows"], room: int) -> "Rows":
        """New rows made of all the rows of each part, in order, right-aligned so that all end at one
        write position, with `room` free positions after it. Copies what they hold."""
        spans = [rows.span() for rows in parts]
        length = max(spans)
        sample = parts[0]
        merged = Rows(len(sample.keys), sum(len(rows) for rows in parts), sample.keys[0].shape[1],
                      sample.keys[0].shape[3], length + room, sample.keys[0])
        merged.length, merged.ids, merged.feed = length, [], []
        start = 0
        for rows, span in zip(parts, spans):
            end, old = start + len(rows), slice(rows.length - span, rows.length)
            for target, source in zip(merged.keys + merged.values, rows.keys + rows.values):
                target[start:end, :, length - span:length] = source[:, :, old]
                target[start:end, :, :length - span] = 0  # masked, but must be finite: 0 * NaN is NaN
            merged.valid[start:end, length - span:length] = rows.valid[:, old]
            merged.ids += rows.ids
            merged.feed += rows.feed
            start = end
        merged.position = torch.cat([rows.position for rows in parts])
        return merged
