"""The expression language of docs/spec.md (masks, and the score expressions of gpu/score_expr.py),
parsed and evaluated in Python for the GPU suite's reference.

It is written from docs/spec.md and the built-in definitions alone, independently of the compiler's
C++ front end (compiler/Spec), so that a bug there is not copied into the reference that is meant
to catch it.

    mask = compile_mask("window(1024, 0) || sink(4)")
    mask.evaluate(b=0, h=0, q=5, k=3, sq=8, skv=8)          # one pair: a bool, pure Python
    mask(q=torch.arange(sq)[:, None], k=torch.arange(skv)[None, :], sq=sq, skv=skv)
                                                            # torch.bool [sq, skv]

Two ways to evaluate one parse tree:

- `evaluate` (scalars, pure Python, no torch needed): exactly the C semantics of the spec. `/`
  truncates toward zero, `%` takes the sign of the dividend, `&&`, `||` and `?:` skip the operand
  they do not need. What the spec leaves undefined (a zero divisor at run time, int64 overflow)
  raises MaskError, so that a test cannot silently rely on it.
- `__call__` (vectorised, torch): q, k, b and h may be int64 tensors that broadcast against each
  other ([sq, 1] and [1, skv] give [sq, skv]); the result is a torch.bool tensor of the broadcast
  shape. Every operand is evaluated for every element, so C's short-circuit cannot stop a division
  by zero in a branch that the mask does not take (`k != 0 && q / k > 1`): there a zero divisor is
  replaced by 1, and any value is allowed, because where the branch *is* taken the spec calls the
  result undefined. For the same reason int64 overflow wraps instead of raising.

Built-ins, with diag = q + skv - sq (the bottom-right aligned diagonal):

    none                 true
    causal               k <= diag
    causal_top_left      k <= q
    min(a, b), max(a, b), abs(a)
    window(left, right)  diag - left <= k && k <= diag + right      (exact for any int64 left,
                                                                     right: no overflow)
    sink(n), prefix(n)   k < n
    chunk(n)             floor(diag / n) == floor(k / n), n > 0     (floor, not C's truncation:
                                                                     diag < 0 when sq > skv)
    block_diagonal(n)    floor(q / n) == floor(k / n), n > 0
    strided(n, size)     floor(k / size) % n == h % n, n > 0 and size > 0   (S2-Attention's
                                                                     head-sharded key blocks)
    radial(frame, width) with d = |floor(q / frame) - floor(k / frame)| and p the largest power
                         of two <= max(d, 1): |q % frame - k % frame| * p < width and
                         (p <= width or d % ceil(p / width) == 0); frame, width > 0
                         (Radial Attention: the spatial band halves as the frame distance doubles)

A literal size n <= 0 of chunk or block_diagonal is an error; a computed one is undefined.

On a token grid (the spec's "grid": axis sizes, tokens numbered row-major; decls["grid"]) masks
and scores also read the coordinates of q and k: qx, kx along the last axis, qy, ky along the one
before, qt, kt along the one before that. Per axis, with c and c' the query's and the key's
coordinates on an axis of n positions:

    neighborhood_a(kernel, d)   c % d == c' % d and, with i = c / d, j = c' / d and
                                m = (n - c % d + d - 1) / d positions in the class,
                                start <= j < start + kernel, start = max(0, min(i - kernel / 2,
                                m - kernel))                       (NATTEN: shifted at borders)
    causal_neighborhood_a(kernel, d)  c % d == c' % d and 0 <= i - j < kernel
    neighborhood(kernel[, d]), swin(w, shift)   every axis: neighborhood_a, or
                                floor((c - shift) / w) == floor((c' - shift) / w)

Score expressions (gpu/score_expr.py; `parse(source, score=True)`) share this grammar and add
floats; a mask has none of what follows. They read two more variables, the float `s` (the scaled
score) and the int `hq` (the number of query heads), and lose the bool mask built-ins (none,
causal, ..., block_diagonal). A literal with a point or an exponent (`50.0`, `1e-3`, `.5`, `2.`)
is a float; like an int it has no leading zero (`01.5`). `+ - * /` give a float if either operand
is one (the int operand is converted first, so `(q / 2) * 1.0` divides ints, truncating, and
`q / 2.0` does not); unary `-`, `abs`, `min` and `max` keep the type of their operands, float if
any is; comparisons take an int and a float and compare them as floats; `?:` with an int branch
and a float branch is a float. `%` is for ints only, and a literal zero divisor (`0`, `0.0`) is an
error everywhere. The float built-ins (an int argument is converted):

    tanh(x), exp(x), exp2(x), log(x)     the C functions
    sigmoid(x)                           1 / (1 + exp(-x))
    softcap(x, c)                        c * tanh(x / c)              (a literal c must be > 0)

Floats follow IEEE arithmetic, so nothing about them is undefined: `1.0 / k` at k = 0 is inf,
`log(0.0)` is -inf, `exp(1000.0)` is inf, also in `evaluate` (where Python's math would raise).
`evaluate` computes them in double (as docs/spec.md's reference does); the vectorised evaluator in
the float dtype it is given.
"""
import contextlib
import math
import re
import sys

INT = "int"
BOOL = "bool"
FLOAT = "float"
NUMBER = "number"  # a parameter or operand that takes an int or a float, as given
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
MAX_SOURCE_LENGTH = 4096  # characters (docs/spec.md)
MAX_NESTING = 100         # levels of parentheses, calls, unary operators and ?:
VARIABLES = ("b", "h", "q", "k", "sq", "skv")      # ints, in masks and in scores
SCORE_VARIABLES = {"s": FLOAT, "hq": INT}           # in score expressions only
# Grid coordinates: variable -> (axis counted from the last, whose token).
COORDINATES = {"qx": (0, "q"), "qy": (1, "q"), "qt": (2, "q"),
               "kx": (0, "k"), "ky": (1, "k"), "kt": (2, "k")}


class MaskError(ValueError):
    """A mask expression that does not parse or type-check, or undefined behaviour in `evaluate`.
    `column` is the 1-based character column in the expression (None when there is none)."""

    def __init__(self, message, column=None):
        super().__init__(message if column is None else f"{message} (expression column {column})")
        self.message = message
        self.column = column


@contextlib.contextmanager
def _recursion_room(frames=20000):
    """Parsing and evaluation recurse once per level of the tree, and a 4096-character expression
    such as `q+q+...+q` is a left-leaning tree 2,000 levels deep: more than Python's default
    limit of 1,000 frames. The frames are small; the limit is raised for the duration only."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, frames))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


# ------------------------------------------------------------------------------------ tokens ---

# Two-character operators first, so that "<=" is not read as "<" then "=".
_OPERATORS = ("||", "&&", "==", "!=", "<=", ">=", "?", ":", "<", ">", "+", "-", "*", "/", "%",
              "!", "(", ")", ",", "[", "]")
_SPACE = " \t\n\r"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")
# A point or an exponent makes a float: 50.0, 5., .5, 1e-3, 2.5E+2.
_FLOAT = re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+")
_STICKY = re.compile(r"[A-Za-z0-9_.]*")  # what may not follow a float literal


class Token:
    __slots__ = ("kind", "text", "column")

    def __init__(self, kind, text, column):
        self.kind = kind      # "int", "float", "ident", "op" or "end"
        self.text = text
        self.column = column  # 1-based

    def __repr__(self):
        return f"Token({self.kind}, {self.text!r}, col {self.column})"


def tokenize(source):
    """The tokens of `source`, ending with an "end" token."""
    tokens, pos = [], 0
    while pos < len(source):
        c = source[pos]
        if c in _SPACE:
            pos += 1
            continue
        column = pos + 1
        number = _FLOAT.match(source, pos)
        if number:
            text = number.group()
            end = _STICKY.match(source, number.end()).end()  # 1.0f, 1.2.3, 2.5e
            if end > number.end():
                raise MaskError(f"invalid float literal '{source[pos:end]}'", column)
            if re.match(r"0[0-9]", text):
                raise MaskError(f"float literal '{text}' has a leading zero", column)
            if math.isinf(float(text)):
                raise MaskError(f"float literal '{text}' is out of range", column)
            tokens.append(Token("float", text, column))
            pos = number.end()
            continue
        digits = _DIGITS.match(source, pos)
        if digits:
            text = digits.group()
            if len(text) > 1 and text[0] == "0":
                raise MaskError(f"integer literal '{text}' has a leading zero", column)
            if int(text) > INT64_MAX:
                raise MaskError(f"integer literal '{text}' does not fit in int64", column)
            tokens.append(Token("int", text, column))
            pos = digits.end()
            continue
        ident = _IDENT.match(source, pos)
        if ident:
            tokens.append(Token("ident", ident.group(), column))
            pos = ident.end()
            continue
        op = next((o for o in _OPERATORS if source.startswith(o, pos)), None)
        if op is None:
            raise MaskError(f"unexpected character '{c}'", column)
        tokens.append(Token("op", op, column))
        pos += len(op)
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


# -------------------------------------------------------------------------------- parse tree ---

class Node:
    """One sub-expression. `op` is "int", "float", "bool", "var", "coord", "call", "neg", "not",
    "?:" or a binary operator; `value` holds the literal, variable or function name (for "coord",
    whose token and the axis); `type` is INT, FLOAT or BOOL; `grid` the spec's token grid, which
    coordinates and the grid built-ins read."""
    __slots__ = ("op", "args", "value", "type", "column", "grid")

    def __init__(self, op, args, type_, column, value=None):
        self.op, self.args, self.type, self.column, self.value = op, tuple(args), type_, column, value
        self.grid = ()

    def walk(self):
        """Every node of the subtree, parents before children (iterative: a chain of 2,000 `+`
        is a tree 2,000 deep)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.args))

    def __repr__(self):
        if self.op in ("int", "float", "bool", "var"):
            return str(self.value).lower() if self.op == "bool" else str(self.value)
        if self.op == "call":
            return f"{self.value}({', '.join(map(repr, self.args))})"
        if self.op in ("neg", "not"):
            return f"{'-' if self.op == 'neg' else '!'}{self.args[0]!r}"
        if self.op == "?:":
            return "({!r} ? {!r} : {!r})".format(*self.args)
        return f"({self.args[0]!r} {self.op} {self.args[1]!r})"


# Binary operators: precedence (higher binds tighter), operand type, result type. All are
# left-associative; `?:` (precedence 1, right-associative) is handled in _Parser.expr. A NUMBER
# result is the promoted type of the operands: FLOAT if either is a float, else INT.
_BINARY = {
    "||": (2, BOOL, BOOL), "&&": (3, BOOL, BOOL),
    "==": (4, NUMBER, BOOL), "!=": (4, NUMBER, BOOL),
    "<": (5, NUMBER, BOOL), "<=": (5, NUMBER, BOOL), ">": (5, NUMBER, BOOL), ">=": (5, NUMBER, BOOL),
    "+": (6, NUMBER, NUMBER), "-": (6, NUMBER, NUMBER),
    "*": (7, NUMBER, NUMBER), "/": (7, NUMBER, NUMBER), "%": (7, INT, INT),
}

# name -> (argument types, result type, variables it reads besides its arguments). Those without
# arguments may be written with or without "()". Their values are computed in _Evaluator.call.
# A FLOAT parameter takes an int too (converted); NUMBER parameters take either as given, and a
# NUMBER result is FLOAT if any argument is a float, else INT (abs, min, max).
# POSITIVE_SIZE: built-ins whose one argument must be > 0 (a literal that is not is an error).
BUILTINS = {
    "none": ((), BOOL, ()),
    "causal": ((), BOOL, ("q", "k", "sq", "skv")),
    "causal_top_left": ((), BOOL, ("q", "k")),
    "min": ((NUMBER, NUMBER), NUMBER, ()),
    "max": ((NUMBER, NUMBER), NUMBER, ()),
    "abs": ((NUMBER,), NUMBER, ()),
    "window": ((INT, INT), BOOL, ("q", "k", "sq", "skv")),
    "sink": ((INT,), BOOL, ("k",)),
    "prefix": ((INT,), BOOL, ("k",)),
    "chunk": ((INT,), BOOL, ("q", "k", "sq", "skv")),
    "block_diagonal": ((INT,), BOOL, ("q", "k")),
    "strided": ((INT, INT), BOOL, ("h", "k")),
    "radial": ((INT, INT), BOOL, ("q", "k")),
    "tanh": ((FLOAT,), FLOAT, ()),
    "exp": ((FLOAT,), FLOAT, ()),
    "exp2": ((FLOAT,), FLOAT, ()),
    "log": ((FLOAT,), FLOAT, ()),
    "sigmoid": ((FLOAT,), FLOAT, ()),
    "softcap": ((FLOAT, FLOAT), FLOAT, ()),
    # Token grids (see the module docstring); neighborhood also takes one argument.
    "neighborhood": ((INT, INT), BOOL, ("q", "k")),
    "swin": ((INT, INT), BOOL, ("q", "k")),
    **{f"{causal}neighborhood_{axis}": ((INT, INT), BOOL, ("q", "k"))
       for causal in ("", "causal_") for axis in "xyt"},
}
# The fewest grid axes each grid built-in needs.
GRID_BUILTINS = {"neighborhood": 1, "swin": 1,
                 **{f"{causal}neighborhood_{axis}": rank for causal in ("", "causal_")
                    for axis, rank in (("x", 1), ("y", 2), ("t", 3))}}
POSITIVE_SIZE = {"chunk": "chunk size", "block_diagonal": "block size"}
# Where each built-in may be used: the bool masks in masks only, the float functions in score
# expressions only, min, max and abs in both.
MASK_BUILTINS = {"none", "causal", "causal_top_left", "window", "sink", "prefix", "chunk",
                 "block_diagonal", "strided", "radial", *GRID_BUILTINS}
# Built-ins of two sizes that must both be > 0, named by position.
PAIRED_SIZES = {"strided": ("stride", "block size"), "radial": ("frame size", "width")}
SCORE_BUILTINS = {"tanh", "exp", "exp2", "log", "sigmoid", "softcap"}


class _Parser:
    """Precedence climbing over the token list; every node is type-checked as it is built."""

    def __init__(self, source, score=False, decls=None):
        self.tokens = tokenize(source)
        self.pos = 0
        self.depth = 0
        self.score = score  # a score expression (floats, s, hq) rather than a mask
        # The spec's runtime data: {"tensors": {name: {"dtype", "shape"}}, "params": {name: type}}
        decls = decls or {}
        self.tensors = dict(decls.get("tensors") or {})
        self.params = dict(decls.get("params") or {})
        self.grid = tuple(decls.get("grid") or ())

    def want(self, node, type_, what, column=None):
        _want(node, type_, what, column, self.score)

    def unavailable(self, what, column):
        """An error for what exists in the other kind of expression only."""
        where = "masks" if self.score else "score expressions"
        return MaskError(f"{what} is only available in {where}", column)

    def peek(self):
        return self.tokens[self.pos]

    def take(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text, what):
        token = self.peek()
        if token.kind != "op" or token.text != text:
            raise MaskError(f"expected '{text}' {what}, found {_describe(token)}", token.column)
        return self.take()

    def enter(self, column):
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise MaskError(f"expression is nested too deeply (more than {MAX_NESTING} levels)",
                            column)

    def parse(self):
        node = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise MaskError(f"unexpected {_describe(token)} after the expression", token.column)
        return node

    def expr(self):
        """expr := or ('?' expr ':' expr)?"""
        self.enter(self.peek().column)
        cond = self.binary(2)
        token = self.peek()
        if token.kind == "op" and token.text == "?":
            self.take()
            self.want(cond, BOOL, "the condition of '?:'")
            then = self.expr()
            self.expect(":", "in '?:'")
            other = self.expr()
            if then.type == other.type:
                type_ = then.type
            elif {then.type, other.type} == {INT, FLOAT}:
                type_ = FLOAT
            else:
                raise MaskError(f"the branches of '?:' differ in type ({then.type} and "
                                f"{other.type})", token.column)
            cond = Node("?:", (cond, then, other), type_, token.column)
        self.depth -= 1
        return cond

    def binary(self, min_precedence):
        lhs = self.unary()
        while True:
            token = self.peek()
            rule = _BINARY.get(token.text) if token.kind == "op" else None
            if rule is None or rule[0] < min_precedence:
                return lhs
            precedence, operand, result = rule
            self.take()
            rhs = self.binary(precedence + 1)  # + 1: left-associative
            for side, node in (("left", lhs), ("right", rhs)):
                self.want(node, operand, f"the {side} operand of '{token.text}'", token.column)
            if result == NUMBER:
                result = _promoted(lhs, rhs)
            if token.text in ("/", "%") and rhs.op in ("int", "float") and rhs.value == 0:
                raise MaskError(f"'{token.text}' by a literal {rhs!r}", rhs.column)
            lhs = Node(token.text, (lhs, rhs), result, token.column)

    def unary(self):
        token = self.peek()
        if token.kind == "op" and token.text in ("!", "-"):
            self.take()
            self.enter(token.column)
            operand = self.unary()
            self.depth -= 1
            if token.text == "!":
                self.want(operand, BOOL, "the operand of '!'", token.column)
                return Node("not", (operand,), BOOL, token.column)
            self.want(operand, NUMBER, "the operand of '-'", token.column)
            return Node("neg", (operand,), operand.type, token.column)
        return self.primary()

    def primary(self):
        token = self.take()
        if token.kind == "int":
            return Node("int", (), INT, token.column, int(token.text))
        if token.kind == "float":
            if not self.score:
                raise self.unavailable(f"float literal '{token.text}'", token.column)
            return Node("float", (), FLOAT, token.column, float(token.text))
        if token.kind == "op" and token.text == "(":
            node = self.expr()
            self.expect(")", "to close '('")
            return node
        if token.kind != "ident":
            raise MaskError(f"expected an expression, found {_describe(token)}", token.column)
        name = token.text
        if name in ("true", "false"):
            return Node("bool", (), BOOL, token.column, name == "true")
        call = self.peek().kind == "op" and self.peek().text == "("
        if name == "document" and call and not self.score:
            return self.document(token)
        if name in self.params:
            type_ = FLOAT if self.params[name] == "float" else INT
            if type_ == FLOAT and not self.score:
                raise self.unavailable(f"float parameter '{name}'", token.column)
            return Node("param", (), type_, token.column, name)
        if name in self.tensors:
            return self.index(token)
        if name in COORDINATES:
            from_end, whose = COORDINATES[name]
            if len(self.grid) <= from_end:
                raise MaskError(f"'{name}' needs a grid of {from_end + 1} or more axes",
                                token.column)
            axis = len(self.grid) - 1 - from_end
            node = Node("coord", (), INT, token.column, (whose, axis))
            node.grid = self.grid
            return node
        if name in VARIABLES or name in SCORE_VARIABLES:
            if call:
                raise MaskError(f"'{name}' is a variable, not a function", token.column)
            if name in SCORE_VARIABLES and not self.score:
                raise self.unavailable(f"'{name}'", token.column)
            return Node("var", (), SCORE_VARIABLES.get(name, INT), token.column, name)
        if name not in BUILTINS:
            raise MaskError(f"unknown {'function' if call else 'name'} '{name}'", token.column)
        if name in (MASK_BUILTINS if self.score else SCORE_BUILTINS):
            raise self.unavailable(f"'{name}'", token.column)
        params, result, _ = BUILTINS[name]
        args = []
        if call:
            self.take()
            self.enter(token.column)
            if not (self.peek().kind == "op" and self.peek().text == ")"):
                args.append(self.expr())
                while self.peek().kind == "op" and self.peek().text == ",":
                    self.take()
                    args.append(self.expr())
            self.expect(")", f"after the arguments to '{name}'")
            self.depth -= 1
        elif params:
            raise MaskError(f"'{name}' needs {len(params)} argument(s): write {name}(...)",
                            token.column)
        if name == "neighborhood" and len(args) == 1:
            params = params[:1]
        if len(args) != len(params):
            raise MaskError(f"'{name}' takes {len(params)} argument(s), got {len(args)}",
                            token.column)
        if name in GRID_BUILTINS and len(self.grid) < GRID_BUILTINS[name]:
            raise MaskError(f"'{name}' needs a grid of {GRID_BUILTINS[name]} or more axes",
                            token.column)
        for i, (arg, want) in enumerate(zip(args, params)):
            self.want(arg, want, f"argument {i + 1} of '{name}'")
        if result == NUMBER:
            result = _promoted(*args)
        if name in POSITIVE_SIZE:
            size = _literal_value(args[0])
            if size is not None and size <= 0:
                raise MaskError(f"{POSITIVE_SIZE[name]} must be positive, got {size}",
                                args[0].column)
        if name in PAIRED_SIZES:
            for arg, what in zip(args, PAIRED_SIZES[name]):
                size = _literal_value(arg)
                if size is not None and size <= 0:
                    raise MaskError(f"{what} must be positive, got {size}", arg.column)
        if name == "softcap":
            cap = _literal_value(args[1])
            if cap is not None and not cap > 0:
                raise MaskError(f"softcap cap must be positive, got {float(cap)!r}",
                                args[1].column)
        node = Node("call", args, result, token.column, name)
        node.grid = self.grid
        return node


    def index(self, token):
        """name[i, j, ...]: an element of a runtime tensor (int for i32, else float)."""
        name = token.text
        decl = self.tensors[name]
        self.expect("[", f"after the tensor '{name}'")
        self.enter(token.column)
        args = [self.expr()]
        while self.peek().kind == "op" and self.peek().text == ",":
            self.take()
            args.append(self.expr())
        self.expect("]", f"after the indices of '{name}'")
        self.depth -= 1
        if len(args) != len(decl["shape"]):
            raise MaskError(f"'{name}' has {len(decl['shape'])} dimensions, got {len(args)} "
                            f"indices", token.column)
        for i, arg in enumerate(args):
            self.want(arg, INT, f"index {i} of '{name}'")
        type_ = INT if decl["dtype"] == "i32" else FLOAT
        if type_ == FLOAT and not self.score:
            raise self.unavailable(f"a read of the float tensor '{name}'", token.column)
        return Node("index", args, type_, token.column, name)

    def document(self, token):
        """document(ids): ids[b, q] == ids[b, k] (ids[q] == ids[k] for a rank-1 ids)."""
        self.take()  # (
        arg = self.take()
        if arg.kind != "ident" or arg.text not in self.tensors:
            raise MaskError("document() takes the name of an i32 tensor", arg.column)
        self.expect(")", "after document(...)")
        rank = len(self.tensors[arg.text]["shape"])

        def read(position):
            indices = [Node("var", (), INT, token.column, "b")] if rank == 2 else []
            indices.append(Node("var", (), INT, token.column, position))
            return Node("index", indices, INT, token.column, arg.text)
        return Node("==", (read("q"), read("k")), BOOL, token.column)


def _power_of_two_at_most(x):
    """2^floor(log2(max(x, 1))), exactly, for an int or an int64 tensor."""
    if not _is_tensor(x):
        return 1 << (max(x, 1).bit_length() - 1)
    import torch
    power = torch.ones_like(x)
    while True:
        grow = power * 2 <= x
        if not bool(grow.any()):
            return power
        power = torch.where(grow, power * 2, power)


def _literal_value(node):
    """The value of an int or float literal, negated or not (`8`, `-8`, `(8)`, `-0.5`), else
    None."""
    if node.op in ("int", "float"):
        return node.value
    if node.op == "neg" and node.args[0].op in ("int", "float"):
        return -node.args[0].value
    return None


def _describe(token):
    return "the end of the expression" if token.kind == "end" else f"'{token.text}'"


# What each parameter or operand type accepts, and how an error names it. A FLOAT takes an int too:
# it is converted, as C converts the int argument of tanhf.
_ACCEPTS = {INT: (INT,), BOOL: (BOOL,), FLOAT: (INT, FLOAT), NUMBER: (INT, FLOAT)}
_TYPE_NAMES = {INT: "int", BOOL: "bool", FLOAT: "float", NUMBER: "int or float"}


def _want(node, type_, what, column=None, score=True):
    """Requires `node` to have a type that `type_` accepts. A mask has no floats: there a number
    is named an int."""
    if node.type not in _ACCEPTS[type_]:
        name = "int" if type_ == NUMBER and not score else _TYPE_NAMES[type_]
        raise MaskError(f"{what} must be {name}, not {node.type}",
                        node.column if column is None else column)


def _promoted(*nodes):
    """The type of arithmetic on `nodes` (ints or floats): FLOAT if any is a float."""
    return FLOAT if any(node.type == FLOAT for node in nodes) else INT


def parse(source, score=False, decls=None):
    """The type-checked parse tree of `source`, a mask (score=False) or a score expression
    (score=True: `s` and `hq` may be read), over the spec's declared runtime tensors and
    parameters `decls` (the spec's "tensors" and "params" objects). The caller checks the type of
    the whole."""
    source = str(source)
    if len(source) > MAX_SOURCE_LENGTH:
        raise MaskError(f"the expression has {len(source)} characters; at most "
                        f"{MAX_SOURCE_LENGTH} are allowed")
    with _recursion_room():
        return _Parser(source, score, decls).parse()


# -------------------------------------------------------------------------------- evaluation ---

def _is_tensor(x):
    return not isinstance(x, (bool, int, float))


# The float built-ins on Python floats, with IEEE results where Python's math module would raise.
def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _exp2(x):
    try:
        return 2.0 ** x
    except OverflowError:
        return math.inf


def _log(x):
    if x > 0 or math.isnan(x):
        return math.log(x)
    return -math.inf if x == 0 else math.nan


_SCALAR_MATH = {"tanh": math.tanh, "exp": _exp, "exp2": _exp2, "log": _log,
                "sigmoid": lambda x: 1.0 / (1.0 + _exp(-x))}


def _float_divide(a, b):
    """a / b on Python floats as IEEE divides: a zero divisor gives ±inf, or NaN for 0 / 0."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


class _Evaluator:
    """Evaluates a tree over values that are Python ints/bools/floats or torch tensors. Python
    scalars short-circuit `&&`, `||` and `?:` exactly as C does; tensors evaluate every operand.
    `strict` raises MaskError on undefined behaviour; otherwise it produces an arbitrary value
    there. Float tensors are of `float_dtype`; an int is converted where a float is wanted."""

    def __init__(self, env, strict, float_dtype=None):
        self.env = env
        self.strict = strict
        self.float_dtype = float_dtype
        env.setdefault("data", None)  # runtime data: {"tensors": {...}, "params": {...}}
        self.device = next((v.device for key, v in env.items() if key != "data" and _is_tensor(v)),
                           None)

    # --- helpers shared by operators and built-ins; exact on Python ints ---
    def tensor(self, x, dtype):
        import torch
        return x if _is_tensor(x) else torch.tensor(x, dtype=dtype, device=self.device)

    def where(self, cond, a, b, type_):
        """cond ? a : b for a tensor cond."""
        import torch
        dtype = {BOOL: torch.bool, INT: torch.int64, FLOAT: self.float_dtype}[type_]
        return torch.where(cond, self.tensor(a, dtype), self.tensor(b, dtype))

    def operand(self, node, type_):
        """The value of `node` as a `type_`: an int is converted where a float is wanted."""
        x = self.eval(node)
        if type_ != FLOAT or node.type != INT:
            return x
        return x.to(self.float_dtype) if _is_tensor(x) else float(x)

    def float_divide(self, a, b):
        if _is_tensor(a) or _is_tensor(b):
            return a / b  # IEEE already
        return _float_divide(a, b)

    def math(self, name, x):
        """A float built-in of one argument."""
        if not _is_tensor(x):
            return _SCALAR_MATH[name](x)
        import torch
        return {"tanh": torch.tanh, "exp": torch.exp, "exp2": torch.exp2, "log": torch.log,
                "sigmoid": torch.sigmoid}[name](x)

    def logical_and(self, a, b):
        if not _is_tensor(a):
            return b if a else False
        if not _is_tensor(b):
            return a if b else a.new_zeros(a.shape, dtype=a.dtype)
        return a & b

    def logical_or(self, a, b):
        if not _is_tensor(a):
            return True if a else b
        if not _is_tensor(b):
            return a.new_ones(a.shape, dtype=a.dtype) if b else a
        return a | b

    def checked(self, x, what, column):
        """An int result of the language's arithmetic: int64 or undefined."""
        if _is_tensor(x) or INT64_MIN <= x <= INT64_MAX:
            return x
        if self.strict:
            raise MaskError(f"int64 overflow in '{what}' (undefined behaviour)", column)
        return (x - INT64_MIN) % (1 << 64) + INT64_MIN  # wrap, as the hardware would

    def divide(self, a, b, rounding, column):
        """a / b rounded toward zero ("trunc", C's `/`) or down ("floor"); and a zero divisor."""
        if not _is_tensor(a) and not _is_tensor(b):
            if b == 0:
                if self.strict:
                    raise MaskError("division by zero at run time (undefined behaviour)", column)
                return 0
            quotient = abs(a) // abs(b)
            if (a < 0) != (b < 0):
                quotient = -quotient if rounding == "trunc" or a % b == 0 else -quotient - 1
            return quotient
        import torch
        a, b = self.tensor(a, torch.int64), self.tensor(b, torch.int64)
        # b == 0 is undefined; b == -1 is -a (and INT64_MIN / -1 would trap the CPU's divider).
        safe = b.masked_fill((b == 0) | (b == -1), 1)
        return torch.where(b == -1, -a, torch.div(a, safe, rounding_mode=rounding))

    def remainder(self, a, b, column):
        """C's a % b: the sign of the dividend, a == (a / b) * b + a % b."""
        if not _is_tensor(a) and not _is_tensor(b):
            if b == 0:
                if self.strict:
                    raise MaskError("remainder by zero at run time (undefined behaviour)", column)
                return 0
            return a - b * self.divide(a, b, "trunc", column)
        import torch
        a, b = self.tensor(a, torch.int64), self.tensor(b, torch.int64)
        safe = b.masked_fill((b == 0) | (b == -1), 1)
        return torch.fmod(a, safe).masked_fill(b == -1, 0)

    def read(self, node):
        """An element of runtime tensor node.value (a torch tensor in env["data"]["tensors"]);
        vectorised, the indices broadcast against each other (advanced indexing)."""
        table = self.env["data"]["tensors"][node.value]
        indices = [self.eval(arg) for arg in node.args]
        if not any(_is_tensor(i) for i in indices):
            value = table  # a torch tensor or nested lists
            for i in indices:
                value = value[i]
            value = value.item() if hasattr(value, "item") else value
            return float(value) if node.type == FLOAT else int(value)
        import torch
        device = table.device
        indices = [i.to(device) if _is_tensor(i) else torch.tensor(i, device=device)
                   for i in indices]
        values = table[tuple(indices)]
        return values.to(self.float_dtype) if node.type == FLOAT else values.to(torch.int64)

    def diag(self):
        """The bottom-right aligned diagonal q + skv - sq, exact on Python ints."""
        return self.env["q"] + (self.env["skv"] - self.env["sq"])

    # --- the tree ---
    def eval(self, node):
        op, args = node.op, node.args
        if op in ("int", "float", "bool"):
            return node.value
        if op == "var":
            return self.env[node.value]
        if op == "coord":
            whose, axis = node.value
            return _coordinate(self.env[whose], node.grid, axis)
        if op == "param":
            value = self.env["data"]["params"][node.value]
            return float(value) if node.type == FLOAT else int(value)
        if op == "index":
            return self.read(node)
        if op == "call":
            return self.call(node)
        if op == "not":
            x = self.eval(args[0])
            return x.logical_not() if _is_tensor(x) else not x
        if op == "neg":
            if node.type == FLOAT:
                return -self.eval(args[0])
            return self.checked(-self.eval(args[0]), "-", node.column)
        if op == "?:":
            cond = self.eval(args[0])
            if not _is_tensor(cond):
                return self.operand(args[1] if cond else args[2], node.type)
            return self.where(cond, self.operand(args[1], node.type),
                              self.operand(args[2], node.type), node.type)
        if op == "&&":
            lhs = self.eval(args[0])
            if not _is_tensor(lhs) and not lhs:
                return False
            return self.logical_and(lhs, self.eval(args[1]))
        if op == "||":
            lhs = self.eval(args[0])
            if not _is_tensor(lhs) and lhs:
                return True
            return self.logical_or(lhs, self.eval(args[1]))
        # Arithmetic and comparisons: on floats if either operand is one, both converted.
        common = _promoted(*args)
        a, b = self.operand(args[0], common), self.operand(args[1], common)
        if common == FLOAT and op in ("+", "-", "*", "/"):
            if op == "/":
                return self.float_divide(a, b)
            return a + b if op == "+" else a - b if op == "-" else a * b
        if op == "+":
            return self.checked(a + b, op, node.column)
        if op == "-":
            return self.checked(a - b, op, node.column)
        if op == "*":
            return self.checked(a * b, op, node.column)
        if op == "/":
            return self.checked(self.divide(a, b, "trunc", node.column), op, node.column)
        if op == "%":
            return self.remainder(a, b, node.column)
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
        raise AssertionError(f"unknown operator {op}")

    def call(self, node):
        name = node.value
        params = BUILTINS[name][0]
        args = [self.operand(a, FLOAT if want == FLOAT or node.type == FLOAT else a.type)
                for a, want in zip(node.args, params)]
        q, k = self.env["q"], self.env["k"]
        if name == "none":
            return True
        if name == "causal":
            return k <= self.diag()
        if name == "causal_top_left":
            return k <= q
        if name in ("min", "max"):
            a, b = args
            first = a < b if name == "min" else a > b
            if not _is_tensor(first):
                return a if first else b
            return self.where(first, a, b, node.type)
        if name == "abs":
            (a,) = args
            if node.type == FLOAT:  # the definition to the letter: abs(-0.0) is -0.0
                return self.where(a < 0, -a, a, FLOAT) if _is_tensor(a) else (-a if a < 0 else a)
            if _is_tensor(a):
                return a.abs()
            return self.checked(-a if a < 0 else a, "abs", node.column)
        if name in _SCALAR_MATH:
            return self.math(name, args[0])
        if name == "softcap":
            x, cap = args
            return cap * self.math("tanh", self.float_divide(x, cap))
        if name == "window":
            # diag - left <= k <= diag + right, as differences of indices: diag - left and
            # diag + right can overflow int64 (window(9223372036854775807, 0) is causal), and
            # diag - k cannot for any real sequence length.
            left, right = args
            offset = self.diag() - k
            return self.logical_and(offset <= left, -offset <= right)
        if name in ("sink", "prefix"):
            return k < args[0]
        if name in ("chunk", "block_diagonal"):
            (n,) = args
            if not _is_tensor(n) and n <= 0 and self.strict:
                raise MaskError(f"{name}({n}): a {POSITIVE_SIZE[name]} that is not positive at "
                                f"run time (undefined behaviour)", node.column)
            first = self.diag() if name == "chunk" else q
            return (self.divide(first, n, "floor", node.column)
                    == self.divide(k, n, "floor", node.column))
        if name in PAIRED_SIZES:
            for value, what in zip(args, PAIRED_SIZES[name]):
                if not _is_tensor(value) and value <= 0 and self.strict:
                    raise MaskError(f"{name}({args[0]}, {args[1]}): a {what} that is not positive "
                                    f"at run time (undefined behaviour)", node.column)
        if name == "radial":
            return self.radial(*args, node.column)
        if name == "strided":
            n, size = args
            block = self.divide(k, size, "floor", node.column)
            return (self.remainder(block, n, node.column)
                    == self.remainder(self.env["h"], n, node.column))
        if name in GRID_BUILTINS:
            return self.grid_call(name, args, node.grid)
        raise AssertionError(f"built-in {name} has no evaluation")

    def radial(self, frame, width, column):
        """Radial Attention: at frame distance d the band |q % frame - k % frame| < width / 2^r,
        r = floor(log2(max(d, 1))); where 2^r > width, only every ceil(2^r / width)-th frame."""
        q, k = self.env["q"], self.env["k"]
        query_frame = self.divide(q, frame, "floor", column)
        key_frame = self.divide(k, frame, "floor", column)
        distance = abs(query_frame - key_frame)
        band = abs((q - query_frame * frame) - (k - key_frame * frame))
        power = _power_of_two_at_most(distance)
        step = self.divide(power + width - 1, width, "floor", column)
        on_step = self.remainder(distance, step, column) == 0
        return self.logical_and(band * power < width, self.logical_or(power <= width, on_step))

    def grid_call(self, name, args, grid):
        q, k = self.env["q"], self.env["k"]
        if name in ("neighborhood", "swin"):
            axes = range(len(grid))
        else:
            axes = [len(grid) - 1 - "xyt".index(name[-1])]
        keep = True
        for axis in axes:
            c, ck, n = _coordinate(q, grid, axis), _coordinate(k, grid, axis), grid[axis]
            if name == "swin":
                window, shift = args
                kept = (c - shift) // window == (ck - shift) // window
            else:
                kernel = args[0]
                dilation = args[1] if len(args) > 1 else 1
                kept = _neighborhood_axis(c, ck, n, kernel, dilation,
                                          causal=name.startswith("causal_"))
            keep = self.logical_and(keep, kept)
        return keep


def _coordinate(index, grid, axis):
    """The coordinate along `axis` of token `index` (an int or an int64 tensor) on a row-major
    grid."""
    stride = math.prod(grid[axis + 1:])
    return index // stride % grid[axis]


def _minimum(a, b):
    if _is_tensor(a) or _is_tensor(b):
        import torch
        return torch.minimum(torch.as_tensor(a), torch.as_tensor(b))
    return min(a, b)


def _maximum(a, b):
    if _is_tensor(a) or _is_tensor(b):
        import torch
        return torch.maximum(torch.as_tensor(a), torch.as_tensor(b))
    return max(a, b)


def _neighborhood_axis(c, ck, n, kernel, dilation, causal):
    """NATTEN along one axis (the module docstring): coordinates non-negative, so Python's
    floor division and modulo agree with C's."""
    residue = c % dilation
    same = ck % dilation == residue
    i, j = c // dilation, ck // dilation
    if causal:
        behind = i - j
        keep = (behind >= 0) & (behind < kernel) if _is_tensor(behind) else 0 <= behind < kernel
    else:
        positions = (n - residue + dilation - 1) // dilation
        start = _maximum(0, _minimum(i - kernel // 2, positions - kernel))
        offset = j - start
        keep = (offset >= 0) & (offset < kernel) if _is_tensor(offset) else 0 <= offset < kernel
    if _is_tensor(same) or _is_tensor(keep):
        return same & keep
    return same and keep


def evaluate_tree(tree, env, strict, float_dtype=None):
    """The value of a parse tree (from `parse`) over `env` (variable -> Python scalar or tensor):
    see _Evaluator. `float_dtype` is the torch dtype of float tensors (needed with tensors)."""
    with _recursion_room():
        return _Evaluator(env, strict, float_dtype).eval(tree)


def tree_variables(tree):
    """The variables a parse tree reads, through built-ins too (causal reads q, k, sq and skv)."""
    used = set()
    for node in tree.walk():
        if node.op == "var":
            used.add(node.value)
        elif node.op == "coord":
            used.add(node.value[0])
        elif node.op == "call":
            used.update(BUILTINS[node.value][2])
    return used


# ------------------------------------------------------------------------------------- Mask ---

class CompiledExpression:
    """What masks and score expressions share: the source, its parse tree, and the runtime data
    ({"tensors": {...}, "params": {...}}) used when a call passes none."""

    def __init__(self, source, tree, data=None):
        self.source = source
        self.tree = tree
        self.data = data

    def with_data(self, data):
        """The same expression, evaluated over the runtime data `data` by default."""
        return type(self)(self.source, self.tree, data)

    @property
    def variables(self):
        """The variables the expression reads, through built-ins too (causal reads q, k, sq and
        skv)."""
        return tree_variables(self.tree)

    def _vectorised(self, env, data, float_dtype=None):
        """evaluate_tree over `env` (ints or broadcasting torch tensors), and the broadcast shape
        and device of its tensor inputs."""
        import torch
        tensors = [v for v in env.values() if _is_tensor(v)]
        shape = torch.broadcast_shapes(*(t.shape for t in tensors)) if tensors else ()
        device = tensors[0].device if tensors else None
        env["data"] = data if data is not None else self.data
        return evaluate_tree(self.tree, env, strict=False, float_dtype=float_dtype), shape, device


class Mask(CompiledExpression):
    """A parsed, type-checked bool mask expression."""

    @property
    def literals(self):
        """The integer literals of the expression, in order (window(1024, 0) -> [1024, 0])."""
        return [node.value for node in self.tree.walk() if node.op == "int"]

    def evaluate(self, b=0, h=0, q=0, k=0, sq=1, skv=1, data=None):
        """The mask for one (q, k) pair with C semantics, as a Python bool. Raises MaskError where
        the spec calls the result undefined (zero divisor, int64 overflow). `data` holds the
        runtime data: {"tensors": {name: torch tensor}, "params": {name: value}}."""
        env = dict(b=int(b), h=int(h), q=int(q), k=int(k), sq=int(sq), skv=int(skv), data=data)
        return bool(evaluate_tree(self.tree, env, strict=True))

    def table(self, sq, skv, b=0, h=0):
        """[sq][skv] nested lists of bools from `evaluate`: the pure-Python grid."""
        return [[self.evaluate(b, h, q, k, sq, skv) for k in range(skv)] for q in range(sq)]

    def __call__(self, q, k, sq, skv, b=0, h=0, data=None):
        """The mask over index grids, as a torch.bool tensor: q, k, b and h are ints or int64
        tensors that broadcast together (q [sq, 1] and k [1, skv] give [sq, skv]; b [B, 1, 1, 1]
        and h [1, H, 1, 1] with them give [B, H, sq, skv]). The result is expanded to the
        broadcast shape of all tensor inputs (a view where the mask does not depend on some)."""
        import torch
        env = dict(b=b, h=h, q=q, k=k, sq=int(sq), skv=int(skv))
        result, shape, device = self._vectorised(env, data)
        if not _is_tensor(result):
            return torch.full(shape, bool(result), dtype=torch.bool, device=device)
        return result.expand(shape)

    def __repr__(self):
        return f"Mask({self.source!r})"


def compile_mask(source, decls=None):
    """Parses and type-checks a mask expression; raises MaskError (with the column) if it is not a
    valid bool mask. "" is the manifest's way of saying "none". `decls`: see `parse`."""
    source = str(source)
    if len(source) <= MAX_SOURCE_LENGTH and not source.strip():
        source = "none"
    tree = parse(source, decls=decls)
    _want(tree, BOOL, "a mask", 1, score=False)
    return Mask(source, tree)
