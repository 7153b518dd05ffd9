"""Random runtime data for libraries whose spec declares "tensors" and "params" (docs/spec.md):
what the GPU suite passes to the library and, unchanged, to its reference.

i32 tensors hold sorted ids in runs of random length along their last dimension (packed
documents); float tensors hold N(0, 0.5²) values in their declared dtype; int parameters are drawn
from [0, max(sq, skv)], float parameters from [0.5, 2].
"""
import torch

DTYPES = {"i32": torch.int32, "f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


def _extent(dim, case):
    return {"b": case.b, "hq": case.hq, "sq": case.sq, "skv": case.skv}.get(dim, dim)


def _document_ids(shape, generator):
    """Non-decreasing ids along the last dimension, in runs of 1 to max(8, n / 3) tokens."""
    rows, n = int(torch.tensor(shape[:-1]).prod()) if len(shape) > 1 else 1, shape[-1]
    longest = max(8, n // 3)
    ids = torch.empty(rows, n, dtype=torch.int32)
    for r in range(rows):
        lengths = torch.randint(1, longest + 1, (n,), generator=generator)
        starts = torch.zeros(n, dtype=torch.int64)
        starts[torch.cumsum(lengths, 0)[torch.cumsum(lengths, 0) < n]] = 1
        ids[r] = torch.cumsum(starts, 0).to(torch.int32) + 1000 * r
    return ids.reshape(shape)


def make_runtime_data(manifest, case, seed):
    """{"tensors": {name: CUDA tensor}, "params": {name: value}} for one case, or None when the
    spec declares nothing."""
    tensors, params = manifest.get("tensors") or [], manifest.get("params") or []
    if not tensors and not params:
        return None
    generator = torch.Generator().manual_seed(seed)
    data = {"tensors": {}, "params": {}}
    for decl in tensors:
        shape = [int(_extent(dim, case)) for dim in decl["shape"]]
        if decl["dtype"] == "i32":
            values = _document_ids(shape, generator)
        else:
            values = (torch.randn(shape, generator=generator) * 0.5).to(DTYPES[decl["dtype"]])
        data["tensors"][decl["name"]] = values.cuda()
    longest = max(case.sq, case.skv)
    for decl in params:
        if decl["type"] == "int":
            value = int(torch.randint(0, longest + 1, (1,), generator=generator))
        else:
            value = float(torch.empty(1).uniform_(0.5, 2.0, generator=generator))
        data["params"][decl["name"]] = value
    return data
