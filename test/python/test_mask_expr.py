#!/usr/bin/env python3
"""CPU tests of gpu/mask_expr.py, the GPU suite's own implementation of the mask language.

    python3 test/python/test_mask_expr.py        (unittest; no third-party package needed)
    python3 -m pytest test/python                 (where pytest is installed)

The parser and the scalar evaluator are pure Python and always tested, against hand-written
expectations. The vectorised evaluator needs torch (a CPU build is enough); without it those tests
are skipped, and with it every grid is compared with the scalar evaluator, pair by pair.
"""
import os
import random
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "gpu"))

from mask_expr import MaskError, compile_mask, tokenize  # noqa: E402

try:
    import torch
except ImportError:  # the parser and the scalar evaluator need no torch
    torch = None

needs_torch = unittest.skipIf(torch is None, "torch is not installed")


def grid(expr, sq, skv, b=0, h=0):
    """The mask as rows of '1'/'.' from the scalar evaluator."""
    return ["".join("1" if keep else "." for keep in row)
            for row in compile_mask(expr).table(sq, skv, b, h)]


def value(expr, **env):
    return compile_mask(expr).evaluate(**env)


class TokenizerTest(unittest.TestCase):
    def test_tokens_and_columns(self):
        tokens = tokenize("q<=k &&\n!(sq>=10)")
        self.assertEqual([(t.kind, t.text, t.column) for t in tokens],
                         [("ident", "q", 1), ("op", "<=", 2), ("ident", "k", 4), ("op", "&&", 6),
                          ("op", "!", 9), ("op", "(", 10), ("ident", "sq", 11), ("op", ">=", 13),
                          ("int", "10", 15), ("op", ")", 17), ("end", "", 18)])

    def test_bad_literals_and_characters(self):
        for source, column, words in [("q < 010", 5, "leading zero"),
                              ("k < 9223372036854775808", 5, "does not fit"),
                              ("q & k", 3, "unexpected character '&'"),
                              ("q = k", 3, "unexpected character '='"),
                              ("q < k;", 6, "unexpected character ';'")]:
            with self.subTest(source=source):
                with self.assertRaises(MaskError) as caught:
                    compile_mask(source)
                self.assertIn(words, caught.exception.message)
                self.assertEqual(caught.exception.column, column)

    def test_largest_literal(self):
        self.assertTrue(value("k < 9223372036854775807"))
        self.assertTrue(value("0 == 0"))


class PrecedenceTest(unittest.TestCase):
    def assertTree(self, source, tree):
        self.assertEqual(repr(compile_mask(source).tree), tree)

    def test_binary_levels(self):
        self.assertTree("q + k * 2 < 5 || k == 0 && q != 1",
                        "(((q + (k * 2)) < 5) || ((k == 0) && (q != 1)))")
        self.assertTree("q - k - 1 < q / k / 2 % 3",
                        "(((q - k) - 1) < (((q / k) / 2) % 3))")  # left-associative
        self.assertTree("q < k && q + 1 == k * 2 - 1", "((q < k) && ((q + 1) == ((k * 2) - 1)))")

    def test_unary_binds_tightest(self):
        self.assertTree("-q * 2 < -k", "((-q * 2) < -k)")
        self.assertTree("-(q * 2) < k", "(-(q * 2) < k)")
        self.assertTrue(value("-q * 2 == -6", q=3))
        self.assertTree("!true || true", "(!true || true)")
        self.assertTrue(value("!false && !!true"))
        self.assertTrue(value("!true || true"))    # (!true) || true
        self.assertFalse(value("!(true || true)"))

    def test_ternary_is_loosest_and_right_associative(self):
        self.assertTree("q < 1 ? causal : k < 2 ? none : false",
                        "((q < 1) ? causal() : ((k < 2) ? none() : false))")
        self.assertTree("q < 1 || k < 1 ? true : false", "(((q < 1) || (k < 1)) ? true : false)")
        self.assertTree("true ? q < 1 ? true : false : false",
                        "(true ? ((q < 1) ? true : false) : false)")

    def test_parentheses(self):
        self.assertEqual(value("(1 + 2) * 3 == 9"), True)
        self.assertEqual(value("1 + 2 * 3 == 7"), True)
        self.assertEqual(value("10 - (3 - 2) == 9"), True)
        self.assertEqual(value("10 - 3 - 2 == 5"), True)


class TypeAndSyntaxErrorTest(unittest.TestCase):
    def assertError(self, source, words, column=None):
        with self.assertRaises(MaskError) as caught:
            compile_mask(source)
        self.assertIn(words, caught.exception.message)
        if column is not None:
            self.assertEqual(caught.exception.column, column)

    def test_types(self):
        self.assertError("q + (k < 3) > 0", "right operand of '+' must be int")
        self.assertError("(q < k) == (k < q)", "left operand of '==' must be int")
        self.assertError("q < k < 3", "left operand of '<' must be int")
        self.assertError("q + 1", "a mask must be bool", 1)
        self.assertError("-causal", "operand of '-' must be int")
        self.assertError("!q", "operand of '!' must be bool")
        self.assertError("q ? causal : none", "condition of '?:' must be bool")
        self.assertError("causal ? 1 : none", "branches of '?:' differ")
        self.assertError("window(causal, 0)", "argument 1 of 'window' must be int")

    def test_calls(self):
        self.assertError("window(1)", "'window' takes 2 argument(s), got 1")
        self.assertError("causal(1)", "'causal' takes 0 argument(s), got 1")
        self.assertError("window", "'window' needs 2 argument(s)")
        self.assertError("sliding(4)", "unknown function 'sliding'", 1)
        self.assertError("q < n", "unknown name 'n'", 5)
        self.assertError("q(1) < 2", "'q' is a variable")
        self.assertError("min(q, k < 1", "expected ')' after the arguments to 'min'")
        self.assertTrue(value("none()") and value("causal()", q=0, k=0) and value("none"))

    def test_syntax(self):
        self.assertError("q <", "expected an expression, found the end", 4)
        self.assertError("q < k k", "unexpected 'k' after the expression", 7)
        self.assertError("(q < k", "expected ')' to close '('")
        self.assertError("q < k ? true", "expected ':' in '?:'")

    def test_empty_is_none(self):
        self.assertEqual(compile_mask("").source, "none")  # the manifest's way of saying none
        self.assertTrue(compile_mask("  ").evaluate(q=0, k=5))

    def test_literal_zero_divisor(self):
        self.assertError("q / 0 < 1", "'/' by a literal 0", 5)
        self.assertError("q % (0) < 1", "'%' by a literal 0")
        self.assertTrue(value("true || q / (k - k) < 1"))  # only a literal is rejected

    def test_limits(self):
        self.assertError("(" * 101 + "true" + ")" * 101, "nested too deeply")
        compile_mask("(" * 90 + "true" + ")" * 90)
        self.assertError("q < k || " * 500 + "true", "at most 4096")
        long_chain = "+".join(["q"] * 2000) + " >= 0"  # 4,004 characters, a tree 2,000 deep
        self.assertTrue(compile_mask(long_chain).evaluate(q=3))


class ArithmeticTest(unittest.TestCase):
    def test_c_division_and_remainder(self):
        for expr in ["-7 / 2 == -3", "-7 % 2 == -1", "7 / -2 == -3", "7 % -2 == 1",
                     "-7 / -2 == 3", "-7 % -2 == -1", "7 / 2 == 3", "7 % 2 == 1",
                     "-8 / 2 == -4", "-8 % 2 == 0", "0 / -5 == 0", "(0 - 1) / 3 == 0"]:
            with self.subTest(expr=expr):
                self.assertTrue(value(expr))

    def test_division_through_variables(self):
        # q - k = -7 at q = 0, k = 7: C truncates, Python's // would floor to -4.
        self.assertTrue(value("(q - k) / 2 == -3 && (q - k) % 2 == -1", q=0, k=7))
        self.assertTrue(value("(q - k) / 2 == 3 && (q - k) % 2 == 1", q=7, k=0))

    def test_min_max_abs(self):
        self.assertTrue(value("min(q, k) == 2 && max(q, k) == 5 && abs(q - k) == 3", q=2, k=5))
        self.assertTrue(value("abs(-9223372036854775807) == 9223372036854775807"))

    def test_short_circuit(self):
        self.assertFalse(value("k != 0 && q / k > 1", q=5, k=0))
        self.assertTrue(value("k == 0 || q / k > 1", q=5, k=0))
        self.assertTrue(value("k == 0 ? true : q % k > 1", q=5, k=0))
        self.assertTrue(value("k != 0 && q / k > 1", q=5, k=2))
        with self.assertRaises(MaskError):
            value("q / k > 1", q=5, k=0)  # undefined: raised, not guessed
        with self.assertRaises(MaskError):
            value("q % k > 1", q=5, k=0)

    def test_overflow_is_undefined(self):
        self.assertTrue(value("q + 9223372036854775807 > 0", q=0))
        for expr in ["q + 9223372036854775807 > 0", "-9223372036854775807 - q - 1 < 0",
                     "q * 4611686018427387904 * 2 > 0", "abs(-9223372036854775807 - q) > 0",
                     "(-9223372036854775807 - q) / -1 > 0"]:
            with self.subTest(expr=expr), self.assertRaises(MaskError):
                value(expr, q=1)


class BuiltinTest(unittest.TestCase):
    def test_causal_alignment_from_the_spec(self):
        # docs/spec.md: sq = 2, skv = 5: query 0 sees keys 0-3, query 1 keys 0-4.
        self.assertEqual(grid("causal", 2, 5), ["1111.", "11111"])
        # sq = 5, skv = 2: queries 0-2 see no key, query 3 sees key 0, query 4 keys 0-1.
        self.assertEqual(grid("causal", 5, 2), ["..", "..", "..", "1.", "11"])
        self.assertEqual(grid("causal_top_left", 2, 5), ["1....", "11..."])
        self.assertEqual(grid("none", 2, 3), ["111", "111"])

    def test_window(self):
        self.assertEqual(grid("window(1, 0)", 4, 4), ["1...", "11..", ".11.", "..11"])
        self.assertEqual(grid("window(1, 1)", 4, 4), ["11..", "111.", ".111", "..11"])
        self.assertEqual(grid("window(0, 0)", 3, 3), ["1..", ".1.", "..1"])
        # Bottom-right: with sq = 2, skv = 5 the diagonal is q + 3.
        self.assertEqual(grid("window(2, 0)", 2, 5), [".111.", "..111"])
        # sq > skv: the first rows end before key 0 and keep nothing.
        self.assertEqual(grid("window(1, 0)", 4, 2), ["..", "..", "1.", "11"])

    def test_sink_and_prefix(self):
        self.assertEqual(grid("sink(2)", 2, 4), ["11..", "11.."])
        self.assertEqual(grid("prefix(3)", 1, 5), ["111.."])
        self.assertEqual(grid("window(1, 0) || sink(1)", 5, 5),
                         ["1....", "11...", "111..", "1.11.", "1..11"])
        self.assertEqual(grid("causal || prefix(3)", 4, 4), ["111.", "111.", "111.", "1111"])

    def test_chunk_floors_a_negative_diagonal(self):
        self.assertEqual(grid("chunk(2)", 4, 4), ["11..", "11..", "..11", "..11"])
        self.assertEqual(grid("chunk(2) && causal", 4, 4), ["1...", "11..", "..1.", "..11"])
        # sq = 10, skv = 4: diag = q - 6. At q = 5, diag = -1: floor(-1 / 4) = -1 matches no key
        # (truncation would give 0 and keep keys 0-3); q = 6..9 is chunk 0, keys 0-3.
        self.assertEqual(grid("chunk(4)", 10, 4), ["...."] * 6 + ["1111"] * 4)
        self.assertEqual(grid("chunk(3)", 3, 6), ["...111"] * 3)  # diag = q + 3

    def assertRejected(self, cases):
        """Each (source, message, column) fails to compile with exactly that message and column."""
        for source, words, column in cases:
            with self.subTest(source=source):
                with self.assertRaises(MaskError) as caught:
                    compile_mask(source)
                self.assertEqual((caught.exception.message, caught.exception.column), (words, column))

    def test_sizes_must_be_positive(self):
        self.assertRejected([("chunk(0)", "chunk size must be positive, got 0", 7),
                             ("chunk(-8) && causal", "chunk size must be positive, got -8", 7),
                             ("block_diagonal((0))", "block size must be positive, got 0", 17)])
        with self.assertRaises(MaskError):  # a computed size that is not positive: undefined
            value("chunk(q - 1)", q=1)
        with self.assertRaises(MaskError):
            value("block_diagonal(q - 2)", q=1)
        self.assertTrue(value("chunk(q + 1)", q=1, k=1, sq=3, skv=3))

    def test_window_edges_are_exact(self):
        # window(INT64_MAX, 0) is exactly causal, sq > skv (negative diagonals) included: the
        # definition has no overflow, so neither may the reference.
        for sq, skv in [(4, 4), (6, 3), (2, 5)]:
            self.assertEqual(grid("window(9223372036854775807, 0)", sq, skv), grid("causal", sq, skv))
            self.assertEqual(grid("window(0, 9223372036854775807)", sq, skv),
                             grid("k >= q + skv - sq", sq, skv))
            self.assertEqual(grid("window(-2, 1)", sq, skv), ["." * skv] * sq)  # left + right < 0

    def test_structured_masks_as_the_spec_writes_them(self):
        for sq, skv in [(8, 8), (5, 9), (9, 5)]:
            self.assertEqual(grid("window(2, 0)", sq, skv),
                             grid("causal && q + skv - sq - k < 3", sq, skv))
        self.assertEqual(grid("window(2, 2)", 7, 7), grid("abs(q - k) <= 2", 7, 7))
        # The sink example: without `causal`, query 0 would see sinks in its future.
        self.assertEqual(grid("window(1, 0) || sink(3)", 3, 3), ["111", "111", "111"])
        self.assertEqual(grid("causal && (window(1, 0) || sink(3))", 4, 4),
                         ["1...", "11..", "111.", "1111"])
        self.assertEqual(grid("chunk(2) && causal", 3, 5), ["..1..", "..11.", "....1"])  # KV cache

    def test_every_example_spec_is_readable(self):
        specs = os.path.join(REPO, "specs")
        import json
        for name in sorted(os.listdir(specs)):
            if name.endswith(".json") and "schema" not in name:
                with open(os.path.join(specs, name)) as f:
                    spec = json.load(f)
                mask = spec.get("mask", "none")
                # Runtime data of the right rank, all zeros: enough to evaluate one pair.
                def zeros(shape):
                    return [zeros(shape[1:]) for _ in range(4)] if shape else 0
                data = {"tensors": {n: zeros(t["shape"]) for n, t in spec.get("tensors", {}).items()},
                        "params": {n: 0 for n in spec.get("params", {})}}
                with self.subTest(spec=name, mask=mask):
                    compile_mask(mask, spec).evaluate(q=1, k=0, sq=4, skv=4, data=data)

    def test_block_diagonal(self):
        self.assertEqual(grid("block_diagonal(2)", 5, 5),
                         ["11...", "11...", "..11.", "..11.", "....1"])
        self.assertEqual(grid("block_diagonal(2)", 2, 5), ["11...", "11..."])  # no realignment

    def test_strided_shards_key_blocks_by_head(self):
        # Blocks of 2 keys, every third per head, starting at block h % 3.
        self.assertEqual(grid("strided(3, 2)", 1, 13, h=0), ["11....11....1"])
        self.assertEqual(grid("strided(3, 2)", 1, 13, h=4), ["..11....11..."])
        self.assertRejected([("strided(0, 2)", "stride must be positive, got 0", 9),
                             ("strided(2, -1)", "block size must be positive, got -1", 12)])

    def test_radial_band_halves_as_frames_part(self):
        # Frames of 4 tokens, width 4, keys of 12 frames, spaces between frames. Frame distance
        # 0-1: the whole frame; 2-3: |offset| * 2 < 4; 4-7: |offset| * 4 < 4, the same place;
        # 8-11: 8 > 4, so only every ceil(8 / 4) = 2nd frame keeps its diagonal.
        rows = [" ".join(row[f:f + 4] for f in range(0, 48, 4))
                for row in grid("radial(4, 4)", 3, 48)]
        self.assertEqual(rows[0], "1111 1111 11.. 11.. 1... 1... 1... 1... 1... .... 1... ....")
        self.assertEqual(rows[2], "1111 1111 .111 .111 ..1. ..1. ..1. ..1. ..1. .... ..1. ....")
        self.assertRejected([("radial(0, 2)", "frame size must be positive, got 0", 8),
                             ("radial(2, -1)", "width must be positive, got -1", 11)])

    @needs_torch
    def test_radial_vectorised_matches_scalar(self):
        for source in ["radial(4, 4)", "radial(5, 3)", "radial(3, 16) || sink(3)"]:
            mask = compile_mask(source)
            table = mask(q=torch.arange(70)[:, None], k=torch.arange(90)[None, :], sq=70, skv=90,
                         b=0, h=0)
            self.assertEqual(table.tolist(), mask.table(70, 90, 0, 0), source)

    def test_heads_and_batches(self):
        expr = "h % 2 == 0 ? causal : none"
        self.assertEqual(grid(expr, 2, 2, h=0), ["1.", "11"])
        self.assertEqual(grid(expr, 2, 2, h=1), ["11", "11"])
        self.assertEqual(grid("b == 1 && k < 1", 2, 2, b=1), ["1.", "1."])
        self.assertEqual(grid("b == 1 && k < 1", 2, 2, b=0), ["..", ".."])

    def test_examples_from_the_spec(self):
        self.assertEqual(grid("causal && q + skv - sq - k < 2", 4, 4),
                         ["1...", "11..", ".11.", "..11"])
        self.assertEqual(grid("abs(q - k) <= 1", 3, 4), ["11..", "111.", ".111"])
        self.assertEqual(grid("k < 1 || causal", 3, 3), ["1..", "11.", "111"])

    def test_variables_and_literals(self):
        mask = compile_mask("window(512, 0) || sink(4)")
        self.assertEqual(mask.literals, [512, 0, 4])
        self.assertEqual(mask.variables, {"q", "k", "sq", "skv"})
        self.assertEqual(compile_mask("h % 2 == 0 ? causal_top_left : k < 3").variables,
                         {"h", "q", "k"})
        self.assertEqual(compile_mask("none").variables, set())


# Random well-typed expressions for the vectorised-versus-scalar comparison.
def random_int(rng, depth):
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice(["q", "k", "sq", "skv", "h", "b", str(rng.randint(0, 9)),
                           f"-{rng.randint(1, 9)}"])
    form = rng.randrange(6)
    a, b = random_int(rng, depth - 1), random_int(rng, depth - 1)
    if form == 0:
        return f"({a} {rng.choice('+-*')} {b})"
    if form == 1:
        b = "(k - k)" if b == "0" else b  # a literal 0 is rejected; a run-time zero is undefined
        return f"({a} {rng.choice('/%')} {b})"  # and those pairs are skipped
    if form == 2:
        return f"{rng.choice(['min', 'max'])}({a}, {b})"
    if form == 3:
        return f"abs({a})"
    if form == 4:
        return f"({random_bool(rng, depth - 1)} ? {a} : {b})"
    return f"-{a}"


def random_bool(rng, depth):
    if depth <= 0 or rng.random() < 0.2:
        return rng.choice(["causal", "causal_top_left", "none", "true", "false",
                           f"window({rng.randint(0, 3)}, {rng.randint(0, 2)})",
                           f"sink({rng.randint(0, 3)})", f"prefix({rng.randint(0, 3)})",
                           f"chunk({rng.randint(1, 4)})", f"block_diagonal({rng.randint(1, 4)})"])
    form = rng.randrange(5)
    if form == 0:
        return (f"({random_int(rng, depth - 1)} {rng.choice(['<', '<=', '>', '>=', '==', '!='])} "
                f"{random_int(rng, depth - 1)})")
    if form == 1:
        return f"({random_bool(rng, depth - 1)} {rng.choice(['&&', '||'])} {random_bool(rng, depth - 1)})"
    if form == 2:
        return f"!{random_bool(rng, depth - 1)}"
    if form == 3:
        return (f"({random_bool(rng, depth - 1)} ? {random_bool(rng, depth - 1)} : "
                f"{random_bool(rng, depth - 1)})")
    return random_bool(rng, 0)


@needs_torch
class VectorisedTest(unittest.TestCase):
    SHAPES = [(1, 1), (3, 3), (2, 5), (5, 2), (6, 4)]

    def compare(self, expr, b=0, h=0, strict_all=True):
        mask = compile_mask(expr)
        for sq, skv in self.SHAPES:
            got = mask(q=torch.arange(sq)[:, None], k=torch.arange(skv)[None, :], sq=sq, skv=skv,
                       b=b, h=h)
            self.assertEqual(got.dtype, torch.bool)
            self.assertEqual(tuple(got.shape), (sq, skv))
            for q in range(sq):
                for k in range(skv):
                    try:
                        want = mask.evaluate(b=b, h=h, q=q, k=k, sq=sq, skv=skv)
                    except MaskError:
                        if strict_all:
                            raise
                        continue  # undefined for this pair: any value will do
                    self.assertEqual(bool(got[q, k]), want, f"{expr} at sq={sq} skv={skv} q={q} k={k}")

    def test_builtins_and_examples(self):
        for expr in ["none", "true", "false", "causal", "causal_top_left", "window(2, 1)",
                     "window(1, 0) || sink(2)", "causal || prefix(2)", "chunk(2) && causal",
                     "chunk(3)", "block_diagonal(2)", "abs(q - k) <= 1", "min(q, k) >= max(1, q - 2)",
                     "(q - k) / 2 == -1", "(q - k) % 3 == -1", "-q < -k", "sq > 3",
                     "q < 2 ? k < 1 : causal", "window(9223372036854775807, 0)",
                     "window(0, 9223372036854775807)", "causal && (window(1, 0) || sink(2))"]:
            with self.subTest(expr=expr):
                self.compare(expr)
        self.compare("h % 2 == 0 ? causal : none", h=1)
        self.compare("b == 1 && k < 1", b=1)
        self.compare("window(h * 2, 0) && chunk(h + 1)", h=1)

    def test_guarded_division_by_zero_does_not_raise(self):
        # The vectorised form evaluates q / k for k = 0 too; torch's CPU divider would raise.
        self.compare("k != 0 && q / k > 1")
        self.compare("k == 0 || q % k == 1")
        self.compare("k - 1 == 0 ? true : (q - 9223372036854775807 - 1) / (k - 1) < 0",
                     strict_all=False)  # INT64_MIN / -1 would trap the CPU

    def test_broadcast_over_batch_and_heads(self):
        mask = compile_mask("h % 2 == 0 ? causal : b == 1")
        q, k = torch.arange(3)[:, None], torch.arange(3)[None, :]
        got = mask(q=q, k=k, sq=3, skv=3, b=torch.arange(2)[:, None, None, None],
                   h=torch.arange(3)[None, :, None, None])
        self.assertEqual(tuple(got.shape), (2, 3, 3, 3))
        for b in range(2):
            for h in range(3):
                self.assertEqual(got[b, h].tolist(),
                                 [[c == "1" for c in row] for row in grid(mask.source, 3, 3, b, h)])

    def test_constant_masks_fill_the_grid(self):
        got = compile_mask("sq == 4")(q=torch.arange(4)[:, None], k=torch.arange(2)[None, :],
                                      sq=4, skv=2)
        self.assertEqual(tuple(got.shape), (4, 2))
        self.assertTrue(bool(got.all()))
        got = compile_mask("k < 1")(q=torch.arange(3)[:, None], k=torch.arange(2)[None, :],
                                    sq=3, skv=2)
        self.assertEqual(got.tolist(), [[True, False]] * 3)

    def test_random_expressions(self):
        rng = random.Random(7)
        for _ in range(250):
            expr = random_bool(rng, 4)
            with self.subTest(expr=expr):
                self.compare(expr, b=rng.randint(0, 2), h=rng.randint(0, 3), strict_all=False)


if __name__ == "__main__":
    unittest.main()
