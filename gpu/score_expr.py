"""Score expressions of docs/spec.md, evaluated in Python for the GPU suite's reference.

A spec's optional score expression rewrites every score before the mask is applied: the kernel
computes s = scale·q·kᵀ, then s ← score(s, b, h, q, k, sq, skv, hq), then drops the pairs the
mask drops (-inf), then takes the softmax; O and LSE (natural log) are those of the modified
scores. A library's manifest carries it as "score"; absent, "" or "s" is the identity.

The language is the mask language of gpu/mask_expr.py (its tokenizer, parser and evaluator; floats
and their promotion rules are described there) with two more variables: the float `s` and the int
`hq`, the number of query heads. The whole expression is a float (an int one is converted).

    softcap = compile_score("softcap(s, 50.0)")                     # 50·tanh(s / 50)
    alibi = compile_score("s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)")
    alibi.evaluate(s=1.0, h=0, q=10, k=4, hq=16)                     # 1 - 2^-0.5·6, a Python float
    alibi(s, q=torch.arange(sq)[:, None], k=torch.arange(skv)[None, :], sq=sq, skv=skv, hq=hq,
          h=torch.arange(hq)[None, :, None, None])                   # like s, [B, Hq, sq, skv]

`evaluate` computes in double with C semantics (MaskError where an int operation is undefined);
`__call__` computes its floats in the dtype of `s` (float64 or float32), vectorised, and like the
mask evaluator lets undefined int operations give any value.
"""
from mask_expr import (MAX_SOURCE_LENGTH, NUMBER, CompiledExpression, MaskError, _is_tensor, _want,
                       evaluate_tree, parse)

__all__ = ["MaskError", "Score", "compile_score", "IDENTITY"]

IDENTITY = "s"


class Score(CompiledExpression):
    """A parsed, type-checked score expression."""

    @property
    def is_identity(self):
        """Whether the expression is `s` itself (parentheses aside): scores are left as they are."""
        return self.tree.op == "var" and self.tree.value == "s"

    def evaluate(self, s, b=0, h=0, q=0, k=0, sq=1, skv=1, hq=1, data=None):
        """The modified score of one pair with C semantics, in double, as a Python float. Raises
        MaskError where an int operation is undefined (a zero divisor, int64 overflow)."""
        env = dict(s=float(s), b=int(b), h=int(h), q=int(q), k=int(k), sq=int(sq), skv=int(skv),
                   hq=int(hq), data=data)
        return float(evaluate_tree(self.tree, env, strict=True))

    def __call__(self, s, q, k, sq, skv, hq, b=0, h=0, data=None):
        """The modified scores, vectorised: `s` is a float32 or float64 tensor (or a Python float,
        computed in float64); q, k, b and h are ints or int64 tensors that broadcast with it (q
        [rows, 1], k [1, skv], h [1, Hq, 1, 1], s [B, Hq, rows, skv]). The result has the dtype of
        `s` and the broadcast shape of all tensor inputs; it may be `s` itself (for the identity)."""
        import torch
        dtype = s.dtype if _is_tensor(s) else torch.float64
        if not dtype.is_floating_point:
            raise TypeError(f"scores must be a float tensor, not {dtype}")
        env = dict(s=s, b=b, h=h, q=q, k=k, sq=int(sq), skv=int(skv), hq=int(hq))
        result, shape, device = self._vectorised(env, data, float_dtype=dtype)
        if not _is_tensor(result):
            return torch.full(shape, float(result), dtype=dtype, device=device)
        result = result.to(dtype)  # an int expression (q - k) becomes a float
        return result if tuple(result.shape) == tuple(shape) else result.expand(shape).contiguous()

    def __repr__(self):
        return f"Score({self.source!r})"


def compile_score(source, decls=None):
    """Parses and type-checks a score expression; raises MaskError (with the column) if it is not
    a valid int or float expression. None, "" and "s" are the identity (a manifest without one)."""
    source = IDENTITY if source is None else str(source)
    if len(source) <= MAX_SOURCE_LENGTH and not source.strip():
        source = IDENTITY
    tree = parse(source, score=True, decls=decls)
    _want(tree, NUMBER, "a score", 1)
    return Score(source, tree)
