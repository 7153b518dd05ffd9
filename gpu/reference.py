"""The reference the GPU suite checks against: explicit softmax attention with the score expression
and the mask applied, in float64 (small problems) or float32 (large ones), on the GPU.

The mask is the manifest's "mask" string (the spec's expression as written), evaluated by
mask_expr.py, the suite's own implementation of the mask language of docs/spec.md: "none",
"causal" (bottom-right aligned: key k is kept for query q iff k <= q + (Skv - Sq)),
"window(1024, 0) || sink(4)", "h % 2 == 0 ? causal : none", ... A row with no kept key has O = 0
and LSE = -inf by definition.

The score expression is the manifest's "score" (absent or "s": none), evaluated by score_expr.py:
"softcap(s, 50.0)", "s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)", ... As in the kernel, it
rewrites the scaled scores s = scale·q·kᵀ before the mask drops pairs, and O and LSE are those of
the rewritten scores. It is computed in the reference's dtype (float64 or float32), not in the
kernel's float32: the difference is a rounding of the score, far inside the tolerances.

The sink logit is the manifest's "sink" (absent: none), a float expression over b, h, hq and the
runtime data, also evaluated by score_expr.py: σ(b, h) joins every row's softmax as one more
logit column with no value row, O = Σ e^{s_k} v_k / (e^σ + Σ e^{s_k}), LSE = log(e^σ + Σ e^{s_k}).
A row with no kept key then has O = 0 and LSE = σ.
"""
import torch

from mask_expr import compile_mask
from score_expr import compile_score

# Masks per chunk of query rows stay under this many elements (bools) when they depend on b or h.
MASK_CHUNK_ELEMENTS = 1 << 26
# Bytes of one chunk's score matrix [B, Hq, rows, Skv]; a score expression needs a few temporaries
# of that size (alibi: |q - k| as floats, the product, the difference), hence the smaller chunk.
SCORE_CHUNK_BYTES = 1 << 30
SCORE_CHUNK_BYTES_WITH_EXPRESSION = 1 << 28


def _decls(manifest):
    """The spec's "tensors", "params" and "grid", as the expression parsers take them."""
    spec = manifest.get("spec") or {}
    return {"tensors": spec.get("tensors") or {}, "params": spec.get("params") or {},
            "grid": spec.get("grid") or ()}


def reference_mask(manifest):
    """The compiled mask of a manifest (a dict; or a bare mask string): its "mask" ("" means
    "none") over its spec's runtime data. Raises MaskError for an expression the suite cannot read
    (a built-in it does not know, say)."""
    if not isinstance(manifest, dict):
        return compile_mask(manifest)
    return compile_mask(manifest.get("mask", ""), _decls(manifest))


def reference_score(manifest):
    """The compiled score expression of a manifest (a dict; or a bare score string): its "score"
    (None or "" means "s", the identity). Raises MaskError for an expression the suite cannot
    read."""
    if not isinstance(manifest, dict):
        return compile_score(manifest)
    return compile_score(manifest.get("score"), _decls(manifest))


def reference_sink(manifest):
    """The compiled sink logit of a manifest (a dict; or a bare expression string), a Score over
    b, h and hq; None when it has none."""
    if not isinstance(manifest, dict):
        return compile_score(manifest) if manifest else None
    source = manifest.get("sink")
    return compile_score(source, _decls(manifest)) if source else None


def sink_logits(sink, b, hq, dtype, device):
    """[B, Hq]: the sink logit σ(b, h) of every (batch, head), in `dtype`; None without a sink."""
    if sink is None:
        return None
    zero = torch.zeros(b, hq, 1, 1, dtype=dtype, device=device)
    grid_b = torch.arange(b, device=device)[:, None, None, None]
    grid_h = torch.arange(hq, device=device)[None, :, None, None]
    return sink(zero, q=0, k=0, sq=1, skv=1, hq=hq, b=grid_b, h=grid_h)[:, :, 0, 0]


def index_grids(variables, rows, skv, b, hq):
    """The index tensors an expression reading `variables` needs, broadcastable to
    [b, hq, len(rows), skv]: q [rows, 1], k [1, skv], and b and h only if it reads them."""
    device = rows.device
    env = {"q": rows[:, None], "k": torch.arange(skv, device=device)[None, :]}
    if "b" in variables:
        env["b"] = torch.arange(b, device=device)[:, None, None, None]
    if "h" in variables:
        env["h"] = torch.arange(hq, device=device)[None, :, None, None]
    return env


def keep(mask, rows, skv, sq, b, hq):
    """Boolean, broadcastable to [b, hq, len(rows), skv]: which (query, key) pairs `mask` keeps for
    the query indices `rows`. [len(rows), skv] when the mask reads neither b nor h."""
    return mask(sq=sq, skv=skv, **index_grids(mask.variables, rows, skv, b, hq))


def modified_scores(score, scores, rows, skv, sq, b, hq):
    """score(s) over scores [b, hq, len(rows), skv] for the query indices `rows`, in their dtype
    (a new tensor; `scores` itself for the identity)."""
    if score is None or score.is_identity:
        return scores
    return score(scores, sq=sq, skv=skv, hq=hq, **index_grids(score.variables, rows, skv, b, hq))


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


def attention(q, k, v, mask, scale, compute_dtype, score=None, sink=None):
    """O [B, Hq, Sq, D] and LSE [B, Hq, Sq] (natural log) in `compute_dtype`, from logical
    [B, H, S, D] views: softmax over the kept keys of score(scale·q·kᵀ) (`score` a Score, or None
    for the identity), with `sink` ([B, Hq] logits, or None) as one more logit column of every
    row that has no value row. Grouped-query heads: q head h reads kv head h // (Hq // Hkv). Rows are
    processed in chunks so that the score matrix stays under ~1 GiB (256 MiB with a score
    expression, whose temporaries are the same size)."""
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    group = hq // hkv
    q = q.to(compute_dtype)
    k = k.to(compute_dtype).repeat_interleave(group, dim=1)
    v = v.to(compute_dtype).repeat_interleave(group, dim=1)
    out = torch.empty(b, hq, sq, d, dtype=compute_dtype, device=q.device)
    lse = torch.empty(b, hq, sq, dtype=compute_dtype, device=q.device)
    element = torch.tensor([], dtype=compute_dtype).element_size()
    identity = score is None or score.is_identity
    budget = SCORE_CHUNK_BYTES if identity else SCORE_CHUNK_BYTES_WITH_EXPRESSION
    chunk = max(1, budget // max(1, b * hq * skv * element))
    for s0 in range(0, sq, chunk):
        s1 = min(sq, s0 + chunk)
        rows = torch.arange(s0, s1, device=q.device)
        scores = torch.einsum("bhqd,bhkd->bhqk", q[:, :, s0:s1], k) * scale
        scores = modified_scores(score, scores, rows, skv, sq, b, hq)  # before the mask
        scores.masked_fill_(~keep(mask, rows, skv, sq, b, hq), float("-inf"))
        if sink is None:
            row_lse = torch.logsumexp(scores, dim=-1)  # -inf for rows with no kept key
        else:  # the sink column joins the normaliser only; σ for rows with no kept key
            column = sink.to(compute_dtype)[:, :, None, None].expand(b, hq, s1 - s0, 1)
            row_lse = torch.logsumexp(torch.cat([scores, column], dim=-1), dim=-1)
        # exp(-inf - -inf) is NaN on fully masked rows: those rows are defined as 0.
        p = torch.exp(scores - row_lse[..., None]).nan_to_num_(nan=0.0)
        out[:, :, s0:s1] = torch.einsum("bhqk,bhkd->bhqd", p, v)
        lse[:, :, s0:s1] = row_lse
    return out, lse
