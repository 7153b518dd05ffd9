#!/usr/bin/env python3
"""CPU tests of gpu/score_expr.py and of the floats in gpu/mask_expr.py: the score expressions of
the GPU suite's reference (softcap, ALiBi, ...).

    python3 test/python/test_score_expr.py       (unittest; no third-party package needed)
    python3 -m pytest test/python                 (where pytest is installed)

Parsing, typing and the scalar evaluator are pure Python and always tested, against hand-computed
numbers. The vectorised evaluator needs torch (a CPU build is enough): it is compared with the
scalar evaluator on random expressions, and with peers.py's own score_mod functions (the
benchmark's definitions of softcap and ALiBi) on random scores.
"""
import math
import os
import random
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "gpu"))
sys.path.insert(0, HERE)

import peer_defs  # noqa: E402
from mask_expr import FLOAT, INT, MaskError, compile_mask, tokenize  # noqa: E402
from score_expr import compile_score  # noqa: E402

try:
    import torch
except ImportError:  # the parser and the scalar evaluator need no torch
    torch = None

needs_torch = unittest.skipIf(torch is None, "torch is not installed")

SOFTCAP = "softcap(s, 50.0)"
ALIBI = "s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)"


def value(expr, s=0.0, **env):
    return compile_score(expr).evaluate(s, **env)


class FloatLiteralTest(unittest.TestCase):
    def test_tokens_and_columns(self):
        tokens = tokenize("50.0+1e-3*.5-5.+2.5E+2")
        self.assertEqual([(t.kind, t.text, t.column) for t in tokens],
                         [("float", "50.0", 1), ("op", "+", 5), ("float", "1e-3", 6), ("op", "*", 10),
                          ("float", ".5", 11), ("op", "-", 13), ("float", "5.", 14), ("op", "+", 16),
                          ("float", "2.5E+2", 17), ("end", "", 23)])
        self.assertEqual(value("50.0 + 1e-3 * .5 - 5. + 2.5E+2"), 50.0 + 0.0005 - 5.0 + 250.0)

    def test_ints_are_unchanged(self):
        self.assertEqual([t.kind for t in tokenize("10 + 0")], ["int", "op", "int", "end"])
        self.assertEqual(value("0.5 + 0e0"), 0.5)

    def assertError(self, expr, message, column):
        with self.assertRaises(MaskError) as caught:
            compile_score(expr)
        self.assertEqual((caught.exception.message, caught.exception.column), (message, column))

    def test_bad_float_literals(self):
        self.assertError("s + 010", "integer literal '010' has a leading zero", 5)
        self.assertError("s + 01.5", "float literal '01.5' has a leading zero", 5)
        self.assertError("s * 1e999", "float literal '1e999' is out of range", 5)
        self.assertError("s * 1.0f", "invalid float literal '1.0f'", 5)
        self.assertError("1.2.3", "invalid float literal '1.2.3'", 1)
        self.assertError("s + 2.5e+", "invalid float literal '2.5e'", 5)
        self.assertEqual(value("1e-999"), 0.0)  # underflow is a zero, as in C


class TypingTest(unittest.TestCase):
    def assertType(self, expr, type_):
        self.assertEqual(compile_score(expr).tree.type, type_, expr)

    def assertError(self, expr, words, column=None, mask=False):
        with self.assertRaises(MaskError) as caught:
            (compile_mask if mask else compile_score)(expr)
        self.assertIn(words, caught.exception.message)
        if column is not None:
            self.assertEqual(caught.exception.column, column)

    def test_promotion(self):
        for expr, type_ in [("s", FLOAT), ("hq", INT), ("q - k", INT), ("q / 2", INT),
                            ("q / 2.0", FLOAT), ("q * 1.0", FLOAT), ("-s", FLOAT), ("-q", INT),
                            ("abs(q - k)", INT), ("abs(s)", FLOAT), ("min(q, k)", INT),
                            ("min(q, 1.0)", FLOAT), ("max(s, k)", FLOAT),
                            ("q < k ? 1 : 2", INT), ("q < k ? 1 : 2.5", FLOAT),
                            ("s < 0 ? s : 0", FLOAT), ("tanh(q)", FLOAT), ("exp2(3)", FLOAT),
                            ("softcap(s, 50)", FLOAT), ("sigmoid(s) * 2", FLOAT),
                            ("s + q % 3", FLOAT), (ALIBI, FLOAT), (SOFTCAP, FLOAT)]:
            with self.subTest(expr=expr):
                self.assertType(expr, type_)
        # Types are decided bottom-up: the int division happens first, then the conversion.
        self.assertEqual(repr(compile_score(ALIBI).tree),
                         "(s - (exp2(((-8.0 * (h + 1)) / hq)) * abs((q - k))))")

    def test_comparisons_mix_ints_and_floats(self):
        self.assertType("s < q ? 1.0 : 0.0", FLOAT)
        self.assertEqual(value("s < q ? 1.0 : 0.0", s=2.5, q=3), 1.0)
        self.assertEqual(value("s == q ? 1.0 : 0.0", s=3.0, q=3), 1.0)
        self.assertEqual(value("q >= 2.5 ? 1.0 : 0.0", q=2), 0.0)
        # Every comparison with NaN is false, except !=.
        nan = "log(-1.0)"
        for op, want in [("<", 0.0), ("<=", 0.0), (">", 0.0), (">=", 0.0), ("==", 0.0), ("!=", 1.0)]:
            self.assertEqual(value(f"{nan} {op} s ? 1.0 : 0.0"), want, op)

    def test_errors(self):
        self.assertError("s % 2", "the left operand of '%' must be int, not float", 3)
        self.assertError("2 % s", "the right operand of '%' must be int, not float")
        self.assertError("tanh(q < k)", "argument 1 of 'tanh' must be float, not bool", 8)
        self.assertError("softcap(s)", "'softcap' takes 2 argument(s), got 1")
        self.assertError("s(1)", "'s' is a variable, not a function")
        self.assertError("q < k", "a score must be int or float, not bool", 1)
        self.assertError("q < k ? s : false", "branches of '?:' differ in type (float and bool)")
        self.assertError("s && q < k", "the left operand of '&&' must be bool, not float")
        self.assertError("!s", "the operand of '!' must be bool, not float")
        self.assertError("-(q < k)", "the operand of '-' must be int or float, not bool")
        self.assertError("s + (q < k)", "the right operand of '+' must be int or float, not bool")
        self.assertError("s + x", "unknown name 'x'", 5)
        self.assertError("min(s, q < k)", "argument 2 of 'min' must be int or float, not bool")
        self.assertError("q / 0 + s", "'/' by a literal 0", 5)  # an int division
        self.assertError("q % (0) + s", "'%' by a literal 0")
        self.assertError("s / 0", "'/' by a literal 0", 5)      # a float division too
        self.assertError("s / (0.0)", "'/' by a literal 0.0", 6)
        self.assertError("softcap(s, 0)", "softcap cap must be positive, got 0.0", 12)
        self.assertError("softcap(s, -50.0)", "softcap cap must be positive, got -50.0", 12)
        self.assertEqual(value("softcap(s, q + 1)", s=1.0, q=1), 2 * math.tanh(0.5))  # computed

    def test_mask_builtins_only_in_masks(self):
        for expr, name, column in [("causal ? s : 0.0", "causal", 1),
                                   ("window(1, 0) ? s : 0.0", "window", 1),
                                   ("s - (none ? 1.0 : 0.0)", "none", 6),
                                   ("chunk(2) ? s : 0.0", "chunk", 1)]:
            with self.subTest(expr=expr):
                self.assertError(expr, f"'{name}' is only available in masks", column)

    def test_s_and_hq_only_in_scores(self):
        self.assertError("s < 1", "'s' is only available in score expressions", 1, mask=True)
        self.assertError("causal && k < hq", "'hq' is only available in score expressions", 15,
                         mask=True)
        self.assertEqual(compile_score("s * hq").variables, {"s", "hq"})
        self.assertEqual(compile_score(ALIBI).variables, {"s", "h", "hq", "q", "k"})
        self.assertEqual(compile_score(SOFTCAP).variables, {"s"})

    def test_masks_have_no_floats(self):
        self.assertError("k < 0.5 * q", "float literal '0.5' is only available in score expressions",
                         5, mask=True)
        self.assertError("causal && k < .5e3", "float literal '.5e3' is only available in score "
                         "expressions", 15, mask=True)
        for name in ("tanh", "exp", "exp2", "log", "sigmoid"):
            self.assertError(f"{name}(q) < k", f"'{name}' is only available in score expressions",
                             1, mask=True)
        self.assertError("softcap(q, 2) < k", "'softcap' is only available in score expressions",
                         1, mask=True)
        # What masks share with scores stays int there, and a mask names no float in its errors.
        self.assertTrue(compile_mask("abs(q - k) <= max(1, min(q, 2))").evaluate(q=3, k=2))
        self.assertError("abs(q < k) < 1", "argument 1 of 'abs' must be int, not bool", mask=True)
        self.assertError("q + (k < 3) > 0", "the right operand of '+' must be int, not bool", 3,
                         mask=True)

    def test_identity(self):
        for source in (None, "", "  ", "s", " (s) ", "((s))"):
            with self.subTest(source=source):
                self.assertTrue(compile_score(source).is_identity)
        for source in ("s + 0.0", "s * 1", "softcap(s, 1e30)", "q < k ? s : s"):
            with self.subTest(source=source):
                self.assertFalse(compile_score(source).is_identity)


class ScalarValueTest(unittest.TestCase):
    def test_softcap(self):
        # 50·tanh(s / 50), with tanh(0.2) = 0.19737532022490401, tanh(2) = 0.96402758007581688,
        # tanh(0.5) = 0.46211715726000974.
        for s, want in [(10.0, 50 * 0.19737532022490401), (100.0, 50 * 0.96402758007581688),
                        (-25.0, -50 * 0.46211715726000974), (0.0, 0.0), (-1000.0, -50.0),
                        (1e30, 50.0)]:
            with self.subTest(s=s):
                self.assertAlmostEqual(value(SOFTCAP, s=s), want, places=12)
        self.assertAlmostEqual(value("softcap(s, 2)", s=1.0), 2 * math.tanh(0.5), places=15)

    def test_alibi(self):
        # slope(h) = 2^(-8 (h + 1) / hq): hq = 16 gives 2^-0.5, 2^-1, ..., 2^-8.
        for s, h, q, k, hq, want in [(1.0, 1, 10, 4, 16, 1.0 - 0.5 * 6),
                                     (0.25, 15, 3, 103, 16, 0.25 - 0.00390625 * 100),
                                     (2.0, 0, 7, 7, 16, 2.0),
                                     (1.0, 0, 10, 4, 16, 1.0 - 6 * 0.70710678118654752),
                                     (0.0, 0, 16, 0, 8, -16 * 0.5),
                                     (0.0, 3, 0, 16, 8, -16 * 0.0625),
                                     (0.5, 2, 100, 36, 6, 0.5 - 64 * 0.0625),  # 2^(-8·3/6)
                                     (0.0, 0, 8191, 0, 1, -8191 * 0.00390625)]:
            with self.subTest(h=h, q=q, k=k, hq=hq):
                self.assertAlmostEqual(value(ALIBI, s=s, h=h, q=q, k=k, hq=hq), want, places=12)

    def test_int_division_then_conversion(self):
        self.assertEqual(value("(q / 2) * 1.0", q=7), 3.0)
        self.assertEqual(value("q / 2.0", q=7), 3.5)
        self.assertEqual(value("-7 / 2 * 1.0"), -3.0)           # C truncation, then float
        self.assertEqual(value("1 / 2 + 0.5"), 0.5)
        self.assertEqual(value("(q < k ? 7 : 2.5) / 2", q=0, k=1), 3.5)  # the ?: is a float
        self.assertEqual(value("(q < k ? 7 : 2.5) * 2", q=1, k=0), 5.0)
        self.assertEqual(value("hq / 3", hq=16), 5.0)             # an int score, converted
        self.assertAlmostEqual(value("hq / 3.0", hq=16), 16 / 3, places=15)
        self.assertEqual(value("min(q, 2.5)", q=1), 1.0)
        self.assertEqual(value("max(q, k)", q=1, k=4), 4.0)
        self.assertEqual(value("abs(-2.5) + abs(-2)"), 4.5)
        self.assertEqual(value("-s", s=1.5), -1.5)

    def test_builtins(self):
        self.assertEqual(value("exp2(3)"), 8.0)
        self.assertEqual(value("exp2(-8.0 * 2 / 16)"), 0.5)
        self.assertAlmostEqual(value("exp(1.0)"), 2.718281828459045, places=15)
        self.assertAlmostEqual(value("log(exp(2.0))"), 2.0, places=15)
        self.assertEqual(value("sigmoid(0.0)"), 0.5)
        self.assertAlmostEqual(value("sigmoid(2.0)"), 1 / (1 + math.exp(-2.0)), places=15)
        self.assertAlmostEqual(value("tanh(s)", s=0.5), 0.46211715726000974, places=15)

    def test_ieee_edges_are_values_not_errors(self):
        self.assertEqual(value("log(0.0)"), -math.inf)
        self.assertEqual(value("log(s)", s=-0.0), -math.inf)
        self.assertTrue(math.isnan(value("log(-1.0)")))
        self.assertEqual(value("exp(1000.0)"), math.inf)
        self.assertEqual(value("exp2(5000)"), math.inf)
        self.assertEqual(value("exp2(-1e10)"), 0.0)
        self.assertEqual(value("sigmoid(-1000.0)"), 0.0)
        self.assertEqual(value("sigmoid(1000.0)"), 1.0)
        self.assertEqual(value("1.0 / s", s=0.0), math.inf)
        self.assertEqual(value("-1.0 / s", s=0.0), -math.inf)
        self.assertEqual(value("1.0 / s", s=-0.0), -math.inf)
        self.assertTrue(math.isnan(value("s / s", s=0.0)))
        self.assertEqual(value("s / k", s=-2.0, k=0), -math.inf)  # a float division by an int 0
        self.assertEqual(value("q / (1.0 * k)", q=3, k=0), math.inf)
        self.assertEqual(value("softcap(s, 50.0)", s=math.inf), 50.0)
        with self.assertRaises(MaskError):  # an int zero divisor stays undefined
            value("s + q / k", q=1, k=0)

    def test_min_max_abs_follow_their_definitions(self):
        # min(a, b) = a < b ? a : b to the letter: NaN on the left loses, on the right wins.
        self.assertEqual(value("min(log(-1.0), 1.0)"), 1.0)
        self.assertTrue(math.isnan(value("min(1.0, log(-1.0))")))
        self.assertEqual(value("max(log(-1.0), 1.0)"), 1.0)
        self.assertEqual(math.copysign(1.0, value("abs(s)", s=-0.0)), -1.0)  # abs(-0.0) is -0.0


# Random well-typed score expressions for the vectorised-versus-scalar comparison.
def random_int(rng, depth):
    if depth <= 0 or rng.random() < 0.4:
        return rng.choice(["q", "k", "h", "hq", "b", "sq", "skv", "(q - k)", "(h + 1)",
                           str(rng.randint(1, 9)), f"-{rng.randint(1, 9)}"])
    a, b = random_int(rng, depth - 1), random_int(rng, depth - 1)
    return rng.choice([f"({a} {rng.choice('+-*')} {b})", f"({a} / {b})", f"({a} % {b})",
                       f"abs({a})", f"min({a}, {b})"])


def random_cond(rng, depth):
    return rng.choice([f"({random_float(rng, depth)} < {random_float(rng, depth)})",
                       f"({random_int(rng, depth)} >= {random_float(rng, depth)})",
                       "(k <= q)", "h % 2 == 0", f"(s != {random_int(rng, 0)})"])


def random_float(rng, depth):
    if depth <= 0 or rng.random() < 0.25:
        return rng.choice(["s", "s", "1.5", "0.25", "-2.0", "1e-3", "50.0", random_int(rng, 0)])
    a, b = random_float(rng, depth - 1), random_float(rng, depth - 1)
    form = rng.randrange(8)
    if form == 0:
        return f"({a} {rng.choice('+-*/')} {b})"
    if form == 1:
        return f"{rng.choice(['tanh', 'exp', 'exp2', 'log', 'sigmoid'])}({a})"
    if form == 2:
        return f"softcap({a}, {b} + 0.0)"  # a computed cap: a literal one must be positive
    if form == 3:
        return f"{rng.choice(['min', 'max'])}({a}, {random_int(rng, 1)})"
    if form == 4:
        return f"abs({a})"
    if form == 5:
        return f"({random_cond(rng, depth - 1)} ? {a} : {random_int(rng, 1)})"
    if form == 6:
        return f"-{a}"
    return f"({a} {rng.choice('+-*/')} {random_int(rng, depth - 1)})"


def close(got, want, rel=1e-9):
    if math.isnan(want):
        return math.isnan(got)
    return got == want or math.isclose(got, want, rel_tol=rel, abs_tol=rel)


@needs_torch
class VectorisedTest(unittest.TestCase):
    def grids(self, sq, skv, hq):
        return dict(q=torch.arange(sq)[:, None], k=torch.arange(skv)[None, :], sq=sq, skv=skv,
                    hq=hq, h=torch.arange(hq)[None, :, None, None])

    def compare(self, expr, sq=3, skv=5, hq=2, seed=0):
        score = compile_score(expr)
        gen = torch.Generator().manual_seed(seed)
        s = torch.randn(1, hq, sq, skv, generator=gen, dtype=torch.float64) * 20
        got = score(s, **self.grids(sq, skv, hq))
        self.assertEqual((got.dtype, tuple(got.shape)), (torch.float64, (1, hq, sq, skv)))
        for h in range(hq):
            for q in range(sq):
                for k in range(skv):
                    try:
                        want = score.evaluate(float(s[0, h, q, k]), 0, h, q, k, sq, skv, hq)
                    except MaskError:
                        continue  # undefined for this pair (an int zero divisor): any value
                    self.assertTrue(close(float(got[0, h, q, k]), want),
                                    f"{expr} at h={h} q={q} k={k}: {float(got[0, h, q, k])} "
                                    f"!= {want}")

    def test_examples(self):
        for expr in [SOFTCAP, ALIBI, "s", "1.5", "q - k", "hq / 3", "s / k", "log(s)", "exp(s)",
                     "sigmoid(s) * tanh(s)", "exp2(s / 4)", "min(s, 1) + max(s, q)", "abs(s)",
                     "k <= q ? s : -1.0 / (q - q)", "s < q ? s : (q / 2) * 1.0",
                     "h % 2 == 0 ? softcap(s, 5.0) : s - q", "min(log(s), 1.0)",
                     "min(1.0, log(s))", "abs(s * 0.0)", "log(s) != log(s) ? 1.0 : 0.0"]:
            with self.subTest(expr=expr):
                self.compare(expr)

    def test_random_expressions(self):
        rng = random.Random(11)
        for i in range(200):
            expr = random_float(rng, 4)
            with self.subTest(expr=expr):
                self.compare(expr, seed=i)

    def test_dtype_and_shape(self):
        for dtype in (torch.float32, torch.float64):
            s = torch.randn(2, 3, 4, 5, dtype=dtype)
            grids = self.grids(4, 5, 3)
            for expr in [SOFTCAP, ALIBI, "1.5", "q - k", "b + 0.5"]:
                with self.subTest(dtype=dtype, expr=expr):
                    got = compile_score(expr)(s, b=torch.arange(2)[:, None, None, None], **grids)
                    self.assertEqual((got.dtype, tuple(got.shape)), (dtype, (2, 3, 4, 5)))
            self.assertIs(compile_score("s")(s, **grids), s)
        got = compile_score("b + 0.5")(s, b=torch.arange(2)[:, None, None, None], **grids)
        self.assertEqual(got[:, 0, 0, 0].tolist(), [0.5, 1.5])
        self.assertEqual(compile_score("q - k")(s, **grids)[1, 2, 3].tolist(), [3.0, 2.0, 1.0, 0.0, -1.0])

    def test_float32_is_computed_in_float32(self):
        s = torch.tensor([[1.0, 100.0]], dtype=torch.float32)
        got = compile_score(SOFTCAP)(s, q=0, k=torch.arange(2)[None, :], sq=1, skv=2, hq=1)
        self.assertEqual(got.dtype, torch.float32)
        want = 50.0 * torch.tanh(s / 50.0)
        self.assertTrue(torch.equal(got, want))

    def test_signed_zeros_and_nan_in_tensors(self):
        s = torch.tensor([[-0.0, 0.0, -1.0, math.nan]], dtype=torch.float64)
        grids = dict(q=0, k=torch.arange(4)[None, :], sq=1, skv=4, hq=1)
        got = compile_score("abs(s)")(s, **grids)
        self.assertEqual([math.copysign(1, x) for x in got[0, :3].tolist()], [-1, 1, 1])
        got = compile_score("min(s, 2.0)")(s, **grids)[0].tolist()
        self.assertEqual(got[2:3], [-1.0])
        self.assertEqual(got[3], 2.0)  # NaN < 2.0 is false
        self.assertTrue(math.isnan(compile_score("min(2.0, s)")(s, **grids)[0, 3]))


@needs_torch
@unittest.skipUnless(peer_defs.available(), "shared/bench/peers.py is not here")
class PeersScoreModTest(unittest.TestCase):
    """Our expressions against peers.py's score_mod_for: softcap = cap·tanh(score / cap),
    alibi = score − slopes[h]·|q − kv| with slopes[i] = 2^(−8(i + 1)/hq), stored as float32."""

    def setUp(self):
        (self.score_mod_for,) = peer_defs.peer_functions("score_mod_for")

    def compare(self, kind, expr, hq, dtype, rtol):
        gen = torch.Generator().manual_seed(hq)
        sq = skv = 8192
        rows = torch.cat([torch.tensor([0, sq - 1]), torch.randint(0, sq, (30,), generator=gen)])
        keys = torch.cat([torch.tensor([0, skv - 1]), torch.randint(0, skv, (45,), generator=gen)])
        shape = (2, hq, len(rows), len(keys))
        s = (torch.randn(shape, generator=gen) * 10.0 ** (torch.rand(shape, generator=gen) * 5 - 2))
        s = s.to(dtype)
        q, k = rows[:, None], keys[None, :]
        h = torch.arange(hq)[None, :, None, None]
        sm = self.score_mod_for({"hq": hq, "score_mod": {"kind": kind, "cap": 50.0}}, "cpu")
        theirs = sm(s, 0, h, q, k).to(dtype)
        ours = compile_score(expr)(s, q=q, k=k, sq=sq, skv=skv, hq=hq, h=h)
        self.assertEqual(ours.dtype, dtype)
        err = ((ours - theirs).abs() / (1 + s.abs() + theirs.abs())).max()
        self.assertLessEqual(float(err), rtol, f"{kind} hq={hq} {dtype}")

    def test_softcap_and_alibi(self):
        for hq in (1, 4, 6, 16, 32):
            for dtype, rtol in ((torch.float32, 1e-6), (torch.float64, 1e-7)):
                with self.subTest(hq=hq, dtype=dtype):
                    self.compare("softcap", SOFTCAP, hq, dtype, rtol)
                    self.compare("alibi", ALIBI, hq, dtype, rtol)

    def test_the_workloads(self):
        suite = peer_defs.workloads()
        for name, expr in [("softcap_causal_bf16_d128_s8k", SOFTCAP),
                           ("alibi_causal_bf16_d128_s8k", ALIBI)]:
            w = suite.get(name)
            if w is None:
                continue
            with self.subTest(workload=name):
                sm = self.score_mod_for(w, "cpu")
                s = torch.tensor([[-300.0, -1.0, 0.0, 2.5, 75.0, 1e3]]).expand(w["hq"], 1, 6)
                q, k = torch.tensor([[w["sq"] - 1]]), torch.tensor([[0, 1, 17, 4000, 8000, 8191]])
                h = torch.arange(w["hq"])[:, None, None]
                ours = compile_score(expr)(s, q=q, k=k, sq=w["sq"], skv=w["skv"], hq=w["hq"], h=h)
                theirs = sm(s, 0, h, q, k)
                self.assertTrue(torch.allclose(ours, theirs, rtol=1e-6, atol=1e-5))
        # The two expressions are not each other's: the check can tell them apart.
        w = {"hq": 16, "score_mod": {"kind": "alibi"}}
        s = torch.full((16, 1, 1), 3.0)
        self.assertFalse(torch.allclose(
            compile_score(SOFTCAP)(s, q=100, k=0, sq=101, skv=101, hq=16),
            self.score_mod_for(w, "cpu")(s, 0, torch.arange(16)[:, None, None],
                                         torch.tensor(100), torch.tensor(0))))


if __name__ == "__main__":
    unittest.main()
