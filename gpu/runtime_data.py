"""Random runtime data for libraries whose spec declares "tensors" and "params" (docs/spec.md):
what the GPU suite passes to the library and, unchanged, to its reference.

i32 tensors hold sorted ids in runs of random length along their last dimension (packed
documents), except the routing tensor (the spec's "routing"), which holds lists of key blocks
(_routing_lists); float tensors hold N(0, 0.5²) values in their declared dtype; int parameters are
drawn from [0, max(sq, skv)], float parameters from [0.5, 2].
"""
import torch

DTYPES = {"i32": torch.int32, "f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1

# What a routing list entry is, by the fraction of entries (the rest are valid block indices): a
# repeat of an earlier entry of its row, the padding -1, an index past the last block, one below
# -1. And the fraction of rows that are all padding (queries routed to no block at all).
ROUTING_REPEATED = 0.15
ROUTING_PADDING = 0.12
ROUTING_PAST_END = 0.05
ROUTING_NEGATIVE = 0.04
ROUTING_EMPTY_ROWS = 1 / 16


def extent(dim, case):
    """The size of a declared dimension in `case` (anything with b, hq, sq and skv): a fixed size
    as written, "b", "hq", "sq", "skv", or "sq/N", ceil(sq / N), the query blocks of a routing
    list."""
    sizes = {"b": case.b, "hq": case.hq, "sq": case.sq, "skv": case.skv}
    if isinstance(dim, str) and dim.startswith("sq/"):
        return -(-case.sq // int(dim[len("sq/"):]))
    return sizes.get(dim, dim)


def _rows(shape):
    """The number of rows of `shape` along its last dimension."""
    rows = 1
    for n in shape[:-1]:
        rows *= n
    return rows


def _document_ids(shape, generator):
    """Non-decreasing ids along the last dimension, in runs of 1 to max(8, n / 3) tokens."""
    rows, n = _rows(shape), shape[-1]
    longest = max(8, n // 3)
    ids = torch.empty(rows, n, dtype=torch.int32)
    for r in range(rows):
        lengths = torch.randint(1, longest + 1, (n,), generator=generator)
        starts = torch.zeros(n, dtype=torch.int64)
        starts[torch.cumsum(lengths, 0)[torch.cumsum(lengths, 0) < n]] = 1
        ids[r] = torch.cumsum(starts, 0).to(torch.int32) + 1000 * r
    return ids.reshape(shape)


def _routing_lists(shape, blocks, generator):
    """Lists of key blocks along the last dimension, for `blocks` = ceil(skv / block) key blocks.
    Mostly valid indices in [0, blocks), each row's drawn from its own random choice of 1 to
    min(K, blocks) blocks (so that short sequences, few blocks and long lists, still leave blocks
    out), mixed with all that the routing contract says to ignore or to count once, so that a
    kernel that mishandles any of it fails the suite: repeats of an earlier entry of the row, -1
    padding (anywhere in a row, not only at its end; and whole rows of it: queries routed
    nowhere), indices from `blocks` up to INT32_MAX and from -2 down to INT32_MIN (the extremes
    catch an index multiplied into a token offset before its range is checked)."""
    rows, width = _rows(shape), shape[-1]

    def uniform(*size):
        return torch.rand(*size, generator=generator)

    def draw(low, high):
        return torch.randint(low, high, (rows, width), generator=generator)

    order = uniform(rows, blocks).argsort(dim=1)  # per row, the blocks in a random order
    choice = torch.randint(1, min(width, blocks) + 1, (rows, 1), generator=generator)
    pick = torch.minimum((uniform(rows, width) * choice).long(), choice - 1)
    values = order.gather(1, pick)
    extreme = uniform(rows, width) < 0.25
    past_end = torch.where(extreme, torch.full_like(values, INT32_MAX), blocks + draw(0, 4))
    negative = torch.where(extreme, torch.full_like(values, INT32_MIN), -2 - draw(0, 4))
    kind, cut = uniform(rows, width), ROUTING_REPEATED
    repeated = kind < cut
    for fraction, other in ((ROUTING_PADDING, torch.full_like(values, -1)),
                            (ROUTING_PAST_END, past_end), (ROUTING_NEGATIVE, negative)):
        values = torch.where((kind >= cut) & (kind < cut + fraction), other, values)
        cut += fraction
    # A repeat copies an earlier entry of its row, whatever that holds (the first entry has none
    # before it and keeps its own); column by column, so that what it copies is final.
    source = torch.minimum((uniform(rows, width) * torch.arange(width)).long(),
                           torch.arange(width).clamp(min=1) - 1)
    everyone = torch.arange(rows)
    for j in range(1, width):
        values[:, j] = torch.where(repeated[:, j], values[everyone, source[:, j]], values[:, j])
    values[uniform(rows) < ROUTING_EMPTY_ROWS] = -1
    return values.to(torch.int32).reshape(shape)


def make_runtime_data(manifest, case, seed, device="cuda"):
    """{"tensors": {name: tensor on `device`}, "params": {name: value}} for one case, or None
    when the spec declares nothing."""
    tensors, params = manifest.get("tensors") or [], manifest.get("params") or []
    if not tensors and not params:
        return None
    routed = manifest.get("routing")  # {"tensor": name, "block": n}, absent without routing
    generator = torch.Generator().manual_seed(seed)
    data = {"tensors": {}, "params": {}}
    for decl in tensors:
        shape = [int(extent(dim, case)) for dim in decl["shape"]]
        if routed is not None and decl["name"] == routed["tensor"]:
            values = _routing_lists(shape, -(-case.skv // int(routed["block"])), generator)
        elif decl["dtype"] == "i32":
            values = _document_ids(shape, generator)
        else:
            values = (torch.randn(shape, generator=generator) * 0.5).to(DTYPES[decl["dtype"]])
        data["tensors"][decl["name"]] = values.to(device)
    longest = max(case.sq, case.skv)
    for decl in params:
        if decl["type"] == "int":
            value = int(torch.randint(0, longest + 1, (1,), generator=generator))
        else:
            value = float(torch.empty(1).uniform_(0.5, 2.0, generator=generator))
        data["params"][decl["name"]] = value
    return data
