"""The reference the GPU suite checks against: explicit softmax attention with the mask applied,
in float64 (small problems) or float32 (large ones), on the GPU.

Masks are read from the manifest's "mask" string. Known: "none", "causal" (bottom-right aligned,
as attn.causal's default: key k is kept for query q iff k <= q + (Skv - Sq)) and
"causal_top_left" (k <= q). A row with no kept key has O = 0 and LSE = -inf by definition.
"""
import torch

# manifest "mask" -> alignment of the causal diagonal (None: no mask)
MASKS = {
    "none": None,
    "causal": "bottom_right",
    "causal_bottom_right": "bottom_right",
    "causal_top_left": "top_left",
}


def mask_kind(manifest_mask):
    """The kind for a manifest's mask string, or raise KeyError for masks the suite cannot check."""
    return MASKS[" ".join(str(manifest_mask).split())]


def keep(kind, q_idx, k_idx, sq, skv):
    """Boolean [len(q_idx), len(k_idx)]: which (query, key) pairs the mask keeps."""
    q = q_idx[:, None]
    k = k_idx[None, :]
    if kind is None:
        return torch.ones(q.shape[0], k.shape[1], dtype=torch.bool, device=q_idx.device)
    if kind == "bottom_right":
        return k <= q + (skv - sq)
    if kind == "top_left":
        return k <= q
    raise ValueError(f"unknown mask kind {kind}")


def fully_masked_rows(kind, sq, skv, device):
    """Boolean [Sq]: query rows whose every key is masked (bottom-right causal with Sq > Skv)."""
    rows = torch.arange(sq, device=device)
    if kind == "bottom_right":
        return rows + (skv - sq) < 0
    return torch.zeros(sq, dtype=torch.bool, device=device)


def attention(q, k, v, kind, scale, compute_dtype):
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
    k_idx = torch.arange(skv, device=q.device)
    for s0 in range(0, sq, chunk):
        s1 = min(sq, s0 + chunk)
        scores = torch.einsum("bhqd,bhkd->bhqk", q[:, :, s0:s1], k) * scale
        if kind is not None:
            kept = keep(kind, torch.arange(s0, s1, device=q.device), k_idx, sq, skv)
            scores.masked_fill_(~kept, float("-inf"))
        row_lse = torch.logsumexp(scores, dim=-1)  # -inf for rows with no kept key
        # exp(-inf - -inf) is NaN on fully masked rows: those rows are defined as 0.
        p = torch.exp(scores - row_lse[..., None]).nan_to_num_(nan=0.0)
        out[:, :, s0:s1] = torch.einsum("bhqk,bhkd->bhqd", p, v)
        lse[:, :, s0:s1] = row_lse
    return out, lse
