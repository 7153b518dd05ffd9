"""The reference the GPU suite checks against: explicit softmax attention with the mask applied,
in float64 (small problems) or float32 (large ones), on the GPU.

The mask is the manifest's "mask" string (the spec's expression as written), evaluated by
mask_expr.py, the suite's own implementation of the mask language of docs/spec.md: "none",
"causal" (bottom-right aligned: key k is kept for query q iff k <= q + (Skv - Sq)),
"window(1024, 0) || sink(4)", "h % 2 == 0 ? causal : none", ... A row with no kept key has O = 0
and LSE = -inf by definition.
"""
import torch

from mask_expr import compile_mask

# Masks per chunk of query rows stay under this many elements (bools) when they depend on b or h.
MASK_CHUNK_ELEMENTS = 1 << 26


def reference_mask(manifest_mask):
    """The compiled mask for a manifest's "mask" string ("" means "none"). Raises MaskError for an
    expression the suite cannot read (a built-in it does not know, say)."""
    return compile_mask(manifest_mask)


def keep(mask, rows, skv, sq, b, hq):
    """Boolean, broadcastable to [b, hq, len(rows), skv]: which (query, key) pairs `mask` keeps for
    the query indices `rows`. [len(rows), skv] when the mask reads neither b nor h."""
    device = rows.device
    env = {"q": rows[:, None], "k": torch.arange(skv, device=device)[None, :]}
    used = mask.variables
    if "b" in used:
        env["b"] = torch.arange(b, device=device)[:, None, None, None]
    if "h" in used:
        env["h"] = torch.arange(hq, device=device)[None, :, None, None]
    return mask(sq=sq, skv=skv, **env)


def _row_chunk(mask, b, hq, skv, limit):
    per_row = skv * (b if "b" in mask.variables else 1) * (hq if "h" in mask.variables else 1)
    return max(1, limit // max(1, per_row))


def fully_masked_rows(mask, b, hq, sq, skv, device):
    """Boolean [B, Hq, Sq] (an expanded view): the query rows whose every key is masked, for
    which the kernel contract wants O = 0 and LSE = -inf (bottom-right causal with Sq > Skv, a
    window that ends before key 0, ...)."""
    dead = []
    chunk = _row_chunk(mask, b, hq, skv, MASK_CHUNK_ELEMENTS)
    for s0 in range(0, sq, chunk):
        rows = torch.arange(s0, min(sq, s0 + chunk), device=device)
        dead.append(~keep(mask, rows, skv, sq, b, hq).any(dim=-1))
    dead = torch.cat(dead, dim=-1)  # [Sq] or [B|1, Hq|1, Sq]
    return dead.expand(b, hq, sq)


def attention(q, k, v, mask, scale, compute_dtype):
    """O [B, Hq, Sq, D] and LSE [B, Hq, Sq] (natural log) in `compute_dtype`, from logical
    [B, H, S, D] views. Grouped-query heads: q head h reads kv head h // (Hq // Hkv). Rows are
    processed in chunks so that the score matrix stays under ~1 GiB."""
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    group = hq // hkv
    q = q.to(compute_dtype)
    k = k.to(compute_dtype).repeat_interleave(group, dim=1)
    v = v.to(compute_dtype).repeat_interleave(group, dim=1)
    out = torch.empty(b, hq, sq, d, dtype=compute_dtype, device=q.device)
    lse = torch.empty(b, hq, sq, dtype=compute_dtype, device=q.device)
    element = torch.tensor([], dtype=compute_dtype).element_size()
    chunk = max(1, (1 << 30) // max(1, b * hq * skv * element))
    for s0 in range(0, sq, chunk):
        s1 = min(sq, s0 + chunk)
        scores = torch.einsum("bhqd,bhkd->bhqk", q[:, :, s0:s1], k) * scale
        kept = keep(mask, torch.arange(s0, s1, device=q.device), skv, sq, b, hq)
        scores.masked_fill_(~kept, float("-inf"))
        row_lse = torch.logsumexp(scores, dim=-1)  # -inf for rows with no kept key
        # exp(-inf - -inf) is NaN on fully masked rows: those rows are defined as 0.
        p = torch.exp(scores - row_lse[..., None]).nan_to_num_(nan=0.0)
        out[:, :, s0:s1] = torch.einsum("bhqk,bhkd->bhqd", p, v)
        lse[:, :, s0:s1] = row_lse
    return out, lse
