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

Routing (the manifest's "routing": {"tensor": name, "block": n}; docs/spec.md) narrows the mask:
query q of (batch b, head h) keeps key k only if k // n is one of the block indices listed at
tensor[b, h, q // n, :] (b and h where the tensor has those dimensions), entries outside
[0, ceil(Skv / n)) ignored and repeats counted once. reference_mask() then returns a RoutedMask,
which stands in for the Mask everywhere (keep, fully_masked_rows, attention, bench.py's mask
check).
"""
import torch

from mask_expr import MaskError, compile_mask
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
    "none") over its spec's runtime data, and its routing if it has one (a RoutedMask). Raises
    MaskError for an expression the suite cannot read (a built-in it does not know, say) or a
    routing tensor the manifest does not declare."""
    if not isinstance(manifest, dict):
        return compile_mask(manifest)
    mask = compile_mask(manifest.get("mask", ""), _decls(manifest))
    routing = routing_decl(manifest)
    return mask if routing is None else RoutedMask(mask, *routing)


def routing_decl(manifest):
    """(tensor name, block, declared shape) of a manifest's "routing"; None without one. The shape
    is the manifest's "tensors" entry (the spec's "tensors" object when the list lacks it), as
    written: [("b")?, ("hq")?, "sq/<block>", K]."""
    routing = manifest.get("routing")
    if not routing:
        return None
    name = routing["tensor"]
    listed = {t["name"]: t for t in manifest.get("tensors") or []}
    decl = listed.get(name) or ((manifest.get("spec") or {}).get("tensors") or {}).get(name)
    if decl is None:
        raise MaskError(f"routing names the tensor {name!r}, which the manifest does not declare")
    return name, int(routing["block"]), tuple(decl["shape"])


class RoutedMask:
    """A mask expression ANDed with the spec's routing: (q, k) is kept for batch b and query
    head h iff the expression keeps it and the key block k // block is one of the entries of
    lists[b, h, q // block, :] (b, h only where the list tensor has those dimensions). Entries
    outside [0, ceil(skv / block)) are ignored, a repeated entry counts once.

    It has what the suite uses of a Mask (with_data, variables, literals, evaluate, table,
    __call__), so keep(), fully_masked_rows() and attention() take it as they take a Mask. The two
    evaluations are written independently: the scalar one looks for k // block in the row's list
    (an entry outside the range can never equal it); the vectorised one scatters the valid entries
    into a [..., q blocks, kv blocks] bool table and indexes it with q // block and k // block."""

    def __init__(self, mask, tensor, block, shape, data=None):
        self.mask = mask          # the Mask of the expression
        self.tensor = tensor      # the list tensor's name in the runtime data
        self.block = block
        self.shape = tuple(shape)  # as declared: [("b")?, ("hq")?, "sq/<block>", K]
        self.data = data

    def with_data(self, data):
        """The same mask and routing, over the runtime data `data` by default."""
        return RoutedMask(self.mask.with_data(data), self.tensor, self.block, self.shape, data)

    @property
    def source(self):
        return self.mask.source

    @property
    def variables(self):
        """The expression's variables, and those the routing reads: q, k, skv, and b and h where
        the list tensor has a batch or head dimension (keep() and the row chunks follow them)."""
        used = set(self.mask.variables) | {"q", "k", "skv"}
        leading = self.shape[:-2]
        if "b" in leading:
            used.add("b")
        if "hq" in leading:
            used.add("h")
        return used

    @property
    def literals(self):
        """The expression's integer literals, and the block: a length that the suite's cases
        should cross (mask_lengths) like a window's."""
        return self.mask.literals + [self.block]

    def _lists(self, data):
        data = data if data is not None else self.data
        tensors = (data or {}).get("tensors") or {}
        if self.tensor not in tensors:
            raise MaskError(f"routing reads the tensor {self.tensor!r}, which the runtime data "
                            f"does not hold")
        return tensors[self.tensor]

    def _leading(self, b, h):
        """The indices of the list tensor's batch and head dimensions, those it has."""
        return [b if dim == "b" else h for dim in self.shape[:-2]]

    def evaluate(self, b=0, h=0, q=0, k=0, sq=1, skv=1, data=None):
        """The mask for one (q, k) pair, as a Python bool (Mask.evaluate, then the routing)."""
        data = data if data is not None else self.data
        if not self.mask.evaluate(b, h, q, k, sq, skv, data):
            return False
        row = self._lists(data)
        for i in self._leading(int(b), int(h)) + [int(q) // self.block]:
            row = row[i]
        return int(k) // self.block in [int(entry) for entry in row]

    def table(self, sq, skv, b=0, h=0):
        """[sq][skv] nested lists of bools from `evaluate`: the pure-Python grid."""
        return [[self.evaluate(b, h, q, k, sq, skv) for k in range(skv)] for q in range(sq)]

    def routed(self, q, k, skv, b=0, h=0, data=None):
        """Boolean over the broadcast of the index grids q, k (and b, h where the list tensor has
        those dimensions): whether the routing lets the pair through. The table is rebuilt per
        call; it has only B·Hq·ceil(sq / block)·ceil(skv / block) elements."""
        lists = self._lists(data).to(torch.int64)
        device = lists.device
        blocks = -(-int(skv) // self.block)
        valid = (lists >= 0) & (lists < blocks)
        slot = torch.where(valid, lists, torch.full_like(lists, blocks))  # a spare column
        table = torch.zeros(*lists.shape[:-1], blocks + 1, dtype=torch.bool, device=device)
        table.scatter_(-1, slot, torch.ones_like(valid))
        table = table[..., :blocks]  # [(B)?, (Hq)?, q blocks, kv blocks]

        def block_of(index):
            return torch.div(torch.as_tensor(index, device=device), self.block,
                             rounding_mode="floor")
        index = [torch.as_tensor(i, device=device) for i in self._leading(b, h)]
        return table[tuple(index + [block_of(q), block_of(k)])]

    def __call__(self, q, k, sq, skv, b=0, h=0, data=None):
        """The mask over index grids, as Mask.__call__ takes them, ANDed with `routed`."""
        kept = self.mask(q, k, sq, skv, b=b, h=h, data=data)
        return kept & self.routed(q, k, skv, b, h, data).to(kept.device)

    def __repr__(self):
        return f"RoutedMask({self.mask.source!r}, {self.tensor!r}, block={self.block})"


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
