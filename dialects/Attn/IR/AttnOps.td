//===- AttnOps.td - attn dialect operations ----------------*- tablegen -*-===//

#ifndef ATTNC_DIALECTS_ATTN_IR_ATTNOPS_TD
#define ATTNC_DIALECTS_ATTN_IR_ATTNOPS_TD

include "dialects/Attn/IR/AttnAttrs.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// attn.attention
//===----------------------------------------------------------------------===//

def Attn_AttentionOp : Attn_Op<"attention", [
    Symbol, IsolatedFromAbove, SingleBlock,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>
  ]> {
  let summary = "an attention variant: its mask, score modification, head_dim, element type and modes";
  let description = [{
    Declares one attention variant,
    O = softmax(score(scale * Q K^T) + mask) V, with Q: [B, Hq, Sq, D],
    K and V: [B, Hkv, Skv, D], D = `head_dim`, all in `element_type`. The op
    is a symbol; each of its `modes` becomes one kernel.

    The first region is the **mask**: one block whose six `i64` arguments
    are the batch index `b`, the query head `h`, the query index `q`, the key
    index `k` and the two sequence lengths `sq` and `skv`. It ends in
    `attn.yield` of one `i1`: true keeps the (q, k) score, false sets it to
    -inf. The region is a pure function of its arguments (it is isolated
    from above) and may use any `arith` op; structured masks such as
    `attn.causal` are attn ops so that `--attn-to-tile` can derive tight
    kv-tile bounds from them.

    The second region, printed after the keyword `score`, is the optional
    **score modification**; empty means the identity. When present it is one
    block whose arguments are the score `s: f32` (scale * q.k of the pair,
    before the mask), then `b`, `h`, `q`, `k`, `sq`, `skv` as in the mask and
    the number of query heads `hq`, all `i64`. It ends in `attn.yield` of one
    `f32`, the score that replaces `s`. It is pure and may use `arith` and
    `math` ops (and the structured mask ops, for a bool condition).

    Verified: `head_dim` is 64, 128 or 256; `element_type` is f16 or bf16; `modes`
    is a non-empty list of distinct supported modes (now only "forward"); the
    mask block has the six i64 arguments and yields one i1; a score block has
    the f32 and the seven i64 arguments and yields one f32.

    Lowering: `--attn-to-tile` turns each (mode, arch) into one `tile.kernel`;
    the mask region is cloned into its `tile.mask_fn`, a score region into
    its `tile.score_fn`, a sink region into its `tile.sink_fn`.

    ```mlir
    attn.attention @causal_softcap attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
    ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
      %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
      attn.yield %keep : i1
    } score {
    ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
      %cap = arith.constant 5.000000e+01 : f32
      %x = arith.divf %s, %cap : f32
      %t = math.tanh %x : f32
      %capped = arith.mulf %cap, %t : f32
      attn.yield %capped : f32
    }
    ```

    The third region, printed after the keyword `sink`, is the optional
    **sink logit**; empty means none. When present it is one block whose
    arguments are `b`, `h` and `hq` (all `i64`), ending in `attn.yield` of
    one `f32`: a logit sigma(b, h) that joins every row's softmax denominator
    with no value row (off-by-one softmax, gpt-oss attention sinks):
    O = sum_k e^{s_k} v_k / (e^{sigma} + sum_k e^{s_k}),
    LSE = log(e^{sigma} + sum_k e^{s_k}); a row with no kept key has O = 0 and
    LSE = sigma. sigma = -inf is plain softmax.

    ```mlir
    } sink {
    ^bb0(%b: i64, %h: i64, %hq: i64):
      %sigma = attn.read 0[%h] : f32
      attn.yield %sigma : f32
    }
    ```
  }];

  let arguments = (ins
    SymbolNameAttr:$sym_name,
    I64Attr:$head_dim,
    TypeAttr:$element_type,
    StrArrayAttr:$modes,
    // Runtime data, by slot: tensors as {name, dtype, shape} dictionaries
    // (dtype a type, shape an array of "b" | "hq" | "sq" | "skv" | size),
    // parameters as {name, type} (i64 or f32).
    OptionalAttr<DictArrayAttr>:$tensors,
    OptionalAttr<DictArrayAttr>:$params,
    // The token grid (1 to 3 axis sizes, tokens row-major): queries and keys
    // are its tokens, and attn.grid_coord reads their coordinates.
    OptionalAttr<DenseI64ArrayAttr>:$grid,
    // Routed attention (dialects/Common/RoutingAttr.h): the i32 tensor at
    // slot `tensor`, of shape [("b")?, ("hq")?, "sq/block", listed], lists
    // per block of `block` queries the kv blocks they may see; the mask
    // region applies within them.
    OptionalAttr<DictionaryAttr>:$routing
  );
  let regions = (region SizedRegion<1>:$mask, MaxSizedRegion<1>:$score,
                        MaxSizedRegion<1>:$sink);

  let assemblyFormat =
      "$sym_name attr-dict-with-keyword $mask (`score` $score^)? (`sink` $sink^)?";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;

  let builders = [
    // Creates the op with an entry block holding the six i64 mask arguments
    // and no terminator: append the mask ops and an attn.yield of one i1.
    // The score region is left empty (the identity); see addScoreBlock().
    OpBuilder<(ins "::llvm::StringRef":$name, "int64_t":$headDim,
                   "::mlir::Type":$elementType,
                   "::llvm::ArrayRef<::llvm::StringRef>":$modes)>
  ];

  let extraClassDeclaration = [{
    /// Number of mask block arguments: b, h, q, k, sq, skv.
    static constexpr unsigned kNumMaskArgs = 6;
    /// Number of score block arguments: s, b, h, q, k, sq, skv, hq.
    static constexpr unsigned kNumScoreArgs = 8;

    ::mlir::Block &getMaskBlock() { return getMask().front(); }
    ::mlir::BlockArgument getBatchArg() { return getMaskBlock().getArgument(0); }
    ::mlir::BlockArgument getHeadArg() { return getMaskBlock().getArgument(1); }
    ::mlir::BlockArgument getQueryArg() { return getMaskBlock().getArgument(2); }
    ::mlir::BlockArgument getKeyArg() { return getMaskBlock().getArgument(3); }
    ::mlir::BlockArgument getQueryLenArg() { return getMaskBlock().getArgument(4); }
    ::mlir::BlockArgument getKeyLenArg() { return getMaskBlock().getArgument(5); }

    /// The terminator of the mask block, and the i1 it yields (keep or not).
    YieldOp getMaskYieldOp();
    ::mlir::Value getMaskYield();

    /// True when the op has a score modification (a non-empty score region).
    bool hasScore() { return !getScore().empty(); }
    /// Adds the entry block of the (empty) score region: s: f32, then b, h,
    /// q, k, sq, skv, hq: i64, and no terminator; append the score ops and an
    /// attn.yield of one f32.
    ::mlir::Block &addScoreBlock();

    /// The score block and its arguments; only when hasScore(). The index
    /// arguments b .. skv follow `s` in the mask's order.
    ::mlir::Block &getScoreBlock() { return getScore().front(); }
    ::mlir::BlockArgument getScoreArg() { return getScoreBlock().getArgument(0); }
    ::mlir::BlockArgument getScoreBatchArg() { return getScoreBlock().getArgument(1); }
    ::mlir::BlockArgument getScoreHeadArg() { return getScoreBlock().getArgument(2); }
    ::mlir::BlockArgument getScoreQueryArg() { return getScoreBlock().getArgument(3); }
    ::mlir::BlockArgument getScoreKeyArg() { return getScoreBlock().getArgument(4); }
    ::mlir::BlockArgument getScoreQueryLenArg() { return getScoreBlock().getArgument(5); }
    ::mlir::BlockArgument getScoreKeyLenArg() { return getScoreBlock().getArgument(6); }
    ::mlir::BlockArgument getScoreNumHeadsArg() { return getScoreBlock().getArgument(7); }

    /// The terminator of the score block, and the f32 it yields (the
    /// modified score); only when hasScore().
    YieldOp getScoreYieldOp();
    ::mlir::Value getScoreYield();

    /// Number of sink block arguments: b, h, hq.
    static constexpr unsigned kNumSinkArgs = 3;
    /// True when the op has a sink logit (a non-empty sink region).
    bool hasSink() { return !getSink().empty(); }
    /// Adds the entry block of the (empty) sink region: b, h, hq: i64, and no
    /// terminator; append the sink ops and an attn.yield of one f32.
    ::mlir::Block &addSinkBlock();
    /// The sink block and its arguments; only when hasSink().
    ::mlir::Block &getSinkBlock() { return getSink().front(); }
    ::mlir::BlockArgument getSinkBatchArg() { return getSinkBlock().getArgument(0); }
    ::mlir::BlockArgument getSinkHeadArg() { return getSinkBlock().getArgument(1); }
    ::mlir::BlockArgument getSinkNumHeadsArg() { return getSinkBlock().getArgument(2); }
    /// The f32 the sink block yields; only when hasSink().
    ::mlir::Value getSinkYield();

    /// Checks the routing attribute against the declared tensors.
    ::mlir::LogicalResult verifyRouting();
    /// The routing attribute, read; none without one.
    std::optional<::mlir::RoutingInfo> getRoutingInfo() {
      return ::mlir::readRoutingAttr(getRoutingAttr());
    }

    /// True when `mode` (e.g. "forward") is listed in `modes`.
    bool hasMode(::llvm::StringRef mode);
  }];
}

//===----------------------------------------------------------------------===//
// attn.causal
//===----------------------------------------------------------------------===//

def Attn_CausalOp : Attn_Op<"causal", [Pure]> {
  let summary = "the causal mask predicate";
  let description = [{
    Yields true when key `k` may be attended to by query `q`, given the query
    and key sequence lengths `sq` and `skv`:

    * `bottom_right` (default): keep iff `k <= q + (skv - sq)`. The diagonal
      ends at the last (query, key) pair; this is the FlashAttention >= 2.1
      convention when sq != skv (with sq < skv, e.g. decoding against a KV
      cache, every query sees the whole prefix). Rows with q < sq - skv see no
      key at all.
    * `top_left`: keep iff `k <= q`.

    The two agree when sq == skv. Pure: no memory effects.

    Lowering: cloned as arithmetic into `tile.mask_fn`
    (`arith.subi`, `arith.addi`, `arith.cmpi sle`); `--attn-to-tile` also
    recognises it to make every tile strictly below the diagonal a full
    (mask-free) tile.

    Folding: with constant operands the predicate is evaluated; a bottom_right
    mask whose `sq` and `skv` are the same value is rewritten to top_left; a
    top_left mask whose `q` and `k` are the same value folds to true (k <= k).

    ```mlir
    %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
    ```
  }];

  let arguments = (ins
    I64:$query,
    I64:$key,
    I64:$query_len,
    I64:$key_len,
    DefaultValuedAttr<Attn_AlignmentAttr,
                      "::mlir::attn::Alignment::bottom_right">:$alignment
  );
  let results = (outs I1:$keep);

  let builders = [
    // The result is always i1.
    OpBuilder<(ins "::mlir::Value":$query, "::mlir::Value":$key,
                   "::mlir::Value":$queryLen, "::mlir::Value":$keyLen,
                   CArg<"Alignment", "Alignment::bottom_right">:$alignment), [{
      build($_builder, $_state, $_builder.getI1Type(), query, key, queryLen,
            keyLen, alignment);
    }]>
  ];

  let hasCustomAssemblyFormat = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// attn.param, attn.read
//===----------------------------------------------------------------------===//

def Attn_ParamOp : Attn_Op<"param", [Pure]> {
  let summary = "a runtime scalar parameter of the variant";
  let description = [{
    The value of parameter `slot` of the enclosing `attn.attention` (its
    `params` attribute), given with each call: `i64` for an int parameter,
    `f32` for a float one. Pure: a parameter is constant during a call.

    Lowering: `tile.param`, which reads the kernel parameters' `int_params`
    or `float_params`.

    ```mlir
    %w = attn.param {slot = 0 : i64} : i64
    ```
  }];
  let arguments = (ins I64Attr:$slot);
  let results = (outs AnyTypeOf<[I64, F32]>:$value);
  let assemblyFormat = "attr-dict `:` type($value)";
  let hasVerifier = 1;
}

def Attn_ReadOp : Attn_Op<"read", [Pure]> {
  let summary = "an element of a runtime tensor of the variant";
  let description = [{
    `t[i0, i1, ...]`: the element of tensor `slot` of the enclosing
    `attn.attention` (its `tensors` attribute) at the given `i64` indices,
    one per dimension. An `i32` tensor reads as `i64`, a float tensor (f32,
    f16, bf16) as `f32`. The front end proves every index in bounds
    (docs/spec.md). Pure: runtime tensors are read-only during a call.

    Lowering: `tile.read`, a strided load from the kernel parameters'
    `tensors[slot]`.

    ```mlir
    %doc = attn.read %b, %k {slot = 0 : i64} : i64
    ```
  }];
  let arguments = (ins Variadic<I64>:$indices, I64Attr:$slot);
  let results = (outs AnyTypeOf<[I64, F32]>:$value);
  let assemblyFormat = "$indices attr-dict `:` type($value)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// attn.grid_coord
//===----------------------------------------------------------------------===//

def Attn_GridCoordOp : Attn_Op<"grid_coord", [Pure]> {
  let summary = "a coordinate of a token on the variant's grid";
  let description = [{
    The coordinate along axis `axis` of token `index` on the enclosing
    `attn.attention`'s `grid`: `(index / stride) % size`, where `size` is
    `grid[axis]` and `stride` the product of the later sizes (tokens are
    numbered row-major). Kept as one op, not division and remainder, so that
    the analyses know it for what it is: the kv-tile analysis of a grid
    kernel tiles each axis (a q tile is a box of the grid) and reads the
    coordinates' ranges from the box.

    Lowering: `tile.grid_coord`.

    ```mlir
    %qy = attn.grid_coord %q {axis = 0 : i64, size = 96 : i64, stride = 96 : i64}
    ```
  }];
  let arguments = (ins I64:$index, I64Attr:$axis, I64Attr:$stride, I64Attr:$size);
  let results = (outs I64:$coord);
  let assemblyFormat = "$index attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// attn.yield
//===----------------------------------------------------------------------===//

def Attn_YieldOp : Attn_Op<"yield", [
    Pure, Terminator, ReturnLike, HasParent<"AttentionOp">
  ]> {
  let summary = "terminates an attn region and yields its values";
  let description = [{
    Ends a region of `attn.attention`: the mask yields the keep predicate
    (one `i1`), the score region the modified score (one `f32`). No side
    effects; lowered to `tile.yield` inside `tile.mask_fn` or
    `tile.score_fn`.

    ```mlir
    attn.yield %keep : i1
    attn.yield %score : f32
    ```
  }];

  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let hasVerifier = 1;
}

#endif // ATTNC_DIALECTS_ATTN_IR_ATTNOPS_TD
