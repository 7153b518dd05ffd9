//===- TileOps.td - tile dialect operations ----------------*- tablegen -*-===//

#ifndef ATTNC_DIALECTS_TILE_IR_TILEOPS_TD
#define ATTNC_DIALECTS_TILE_IR_TILEOPS_TD

include "dialects/Tile/IR/TileAttrs.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Structure: kernel, mask_fn, score_fn, sink_fn, kv_bounds, kv_loop, yield
//===----------------------------------------------------------------------===//

def Tile_KernelOp : Tile_Op<"kernel", [
    Symbol, IsolatedFromAbove, SingleBlock, NoTerminator, NoRegionArguments
  ]> {
  let summary = "one attention kernel for one mode and one architecture";
  let description = [{
    One CUDA kernel, `extern "C" __global__ void <sym_name>(attn_forward_params)`,
    launched on the grid (q tiles, Hq, B) with 32 * num_warps threads (q
    tiles: ceil(Sq / block_m), or the q boxes of a kernel that tiles a grid
    in N-d). Each CTA computes one q tile; the body is its schedule, a fixed
    sequence of tile ops, printed by the emitter in order:

    1. `tile.mask_fn` (exactly one), `tile.score_fn` (at most one),
       `tile.sink_fn` (at most one) and `tile.kv_bounds` (exactly one), in
       that order, emitted as the `mask_fn` / `score_fn` / `sink_fn` /
       `kv_bounds` hook functions of the variant;
    2. the prologue: `tile.load_q` and `tile.load {which = first}`;
    3. up to three `tile.kv_loop`s per kv range, at most one per (range,
       span), in the visiting order: range 0 before range 1, and within a
       range partial_high, full, partial_low; a loop's range must be one
       that `tile.kv_bounds` yields;
    4. `tile.epilogue`, last.

    A routed kernel (attribute `routing`) has instead exactly one loop,
    `tile.kv_loop {span = routed}`, over one kv range, and tiles no grid;
    its blocks are whole q and kv tiles (block a multiple of block_m and
    block_n).

    A kernel that tiles a token grid in N-d (attributes `q_box` and
    `kv_box`, either kernel family) has instead exactly one loop,
    `tile.kv_loop {span = boxes}`: its q tile is a box of the grid and its kv
    tiles are the boxes the mask's interval image places over the q tile's
    keys (attn/device/grid_kv_tiles.h), so its `tile.kv_bounds` (ranges of
    the token sequence) is not walked.

    A kernel has a `tile.score_fn` iff every non-empty kv loop has a
    `tile.apply_score`. Attributes: `config` (#tile.config), `element_type`
    (f16 or bf16, of Q, K, V and O), `head_dim` (64, 128 or 256) and `mode`
    ("forward"). The body holds only tile ops; all of the above is verified.

    ```mlir
    tile.kernel @causal_forward_sm80 attributes {config = #tile.config<...>,
        element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
      tile.mask_fn { ... }
      tile.score_fn { ... }     // optional
      tile.sink_fn { ... }      // optional
      tile.kv_bounds { ... }
      tile.load_q
      tile.load {operand = k, which = first}
      tile.kv_loop {span = partial_high} { ... }
      tile.kv_loop {span = full} { ... }
      tile.kv_loop {span = partial_low} { ... }
      tile.epilogue {write_lse = true}
    }
    ```
  }];

  let arguments = (ins
    SymbolNameAttr:$sym_name,
    Tile_ConfigAttr:$config,
    TypeAttr:$element_type,
    I64Attr:$head_dim,
    StrAttr:$mode,
    // The token grid of the variant (tile.grid_coord reads it), and, for a
    // kernel that tiles it in N-d (a grid of 2 or 3 axes, any kernel
    // family), the box of the grid a q tile and a kv tile cover (products
    // block_m and block_n).
    OptionalAttr<DenseI64ArrayAttr>:$grid,
    OptionalAttr<DenseI64ArrayAttr>:$q_box,
    OptionalAttr<DenseI64ArrayAttr>:$kv_box,
    // Routed attention (dialects/Common/RoutingAttr.h): the runtime list of
    // kv blocks per block of queries; the kernel's one kv loop is then
    // `span = routed`.
    OptionalAttr<DictionaryAttr>:$routing
  );
  let regions = (region SizedRegion<1>:$region);

  let assemblyFormat = "$sym_name attr-dict-with-keyword $region";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;

  let skipDefaultBuilders = 1;
  let builders = [
    // Creates the op with an empty body block; fill it in schedule order.
    OpBuilder<(ins "::llvm::StringRef":$name, "ConfigAttr":$config,
                   "::mlir::Type":$elementType, "int64_t":$headDim,
                   "::llvm::StringRef":$mode)>
  ];

  let extraClassDeclaration = [{
    /// The grid, q_box and kv_box attributes (from verify()).
    ::mlir::LogicalResult verifyGridTiling();
    /// The routing attribute (from verify()).
    ::mlir::LogicalResult verifyRouting();
    /// The routing attribute, read; none for a kernel that is not routed.
    std::optional<::mlir::RoutingInfo> getRoutingInfo() {
      return ::mlir::readRoutingAttr(getRoutingAttr());
    }
    /// Whether the kernel tiles a grid in N-d (it has q_box and kv_box): its
    /// one kv loop is then `span = boxes`.
    bool tilesGrid() { return getQBox().has_value(); }

    /// The single tile.mask_fn / tile.kv_bounds / tile.epilogue of the body
    /// (null only on unverified IR).
    MaskFnOp getMaskFn();
    KvBoundsOp getKvBounds();
    EpilogueOp getEpilogue();
    /// The tile.score_fn of the body; null when the kernel has none (the
    /// scores are not modified).
    ScoreFnOp getScoreFn();
    /// The tile.sink_fn of the body; null when the kernel has none (no sink
    /// logit in the softmax denominator).
    SinkFnOp getSinkFn();
    /// The tile.row_keys of the body; null when the kernel has none (partial
    /// tiles call the mask).
    RowKeysOp getRowKeys();

    /// The kv loops in visiting order, and the loop of one span (null if the
    /// kernel has none).
    ::llvm::SmallVector<KvLoopOp, 3> getKvLoops();
    KvLoopOp getKvLoop(KvSpan span);
  }];
}

def Tile_MaskFnOp : Tile_Op<"mask_fn", [
    HasParent<"KernelOp">, IsolatedFromAbove, SingleBlock,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>
  ]> {
  let summary = "the mask predicate of the kernel";
  let description = [{
    The attention mask as a pure function of six `i64` block arguments: batch
    `b`, query head `h`, query index `q`, key index `k`, and the sequence
    lengths `sq`, `skv`. The block ends in `tile.yield` of one `i1`: true
    keeps the (q, k) score. The body is `arith` (copied from the mask region
    of `attn.attention`, with structured masks such as `attn.causal` expanded).

    Lowering: `__host__ __device__ inline bool mask_fn(int64_t b, int64_t h,
    int64_t q, int64_t k, int64_t sq, int64_t skv)` in the variant's
    namespace, called by `tile.apply_mask` in partial tiles only. No effects
    of its own; it is isolated from above so folded constants stay inside.

    ```mlir
    tile.mask_fn {
    ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
      %off = arith.subi %skv, %sq : i64
      %last = arith.addi %q, %off : i64
      %keep = arith.cmpi sle, %k, %last : i64
      tile.yield %keep : i1
    }
    ```
  }];

  let regions = (region SizedRegion<1>:$region);
  let assemblyFormat = "attr-dict-with-keyword $region";
  let hasRegionVerifier = 1;

  let skipDefaultBuilders = 1;
  let builders = [
    // Creates the entry block with the six i64 arguments and no terminator:
    // append the predicate and a tile.yield of one i1.
    OpBuilder<(ins)>
  ];

  let extraClassDeclaration = [{
    static constexpr unsigned kNumArgs = 6;

    ::mlir::BlockArgument getBatchArg() { return getBody()->getArgument(0); }
    ::mlir::BlockArgument getHeadArg() { return getBody()->getArgument(1); }
    ::mlir::BlockArgument getQueryArg() { return getBody()->getArgument(2); }
    ::mlir::BlockArgument getKeyArg() { return getBody()->getArgument(3); }
    ::mlir::BlockArgument getQueryLenArg() { return getBody()->getArgument(4); }
    ::mlir::BlockArgument getKeyLenArg() { return getBody()->getArgument(5); }

    /// The terminator, and the i1 it yields.
    YieldOp getYieldOp();
    ::mlir::Value getKeep();
  }];
}

def Tile_ScoreFnOp : Tile_Op<"score_fn", [
    HasParent<"KernelOp">, IsolatedFromAbove, SingleBlock,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>
  ]> {
  let summary = "the score modification of the kernel";
  let description = [{
    s ← score(scale·q·kᵀ, ...) for every pair, before the mask: a pure
    function of eight block arguments, the score `s: f32` (scale times the
    dot product of query q and key k), then `i64` batch `b`, query head `h`,
    query index `q`, key index `k`, sequence lengths `sq`, `skv` and the
    number of query heads `hq`. The block ends in `tile.yield` of one `f32`,
    the score that replaces `s`; the softmax then runs on the modified
    scores. The body is `arith` and `math` (copied from the score region of
    `attn.attention`, with structured attn ops expanded).

    Optional: at most one per kernel, after `tile.mask_fn` and before
    `tile.kv_bounds`; without one the scores are not modified. It is called
    by `tile.apply_score`, which every non-empty kv loop of a kernel with a
    score_fn has (full and partial tiles alike).

    Lowering: `ATTN_HD float score_fn(float s, int64_t b, int64_t h,
    int64_t q, int64_t k, int64_t sq, int64_t skv, int64_t hq)` in the
    variant's namespace, and `score_split(..., int64_t k0, int c, ...)`, the
    same at key k0 + c for a column c the kernel knows at compile time
    (key-affine integers convert to f32 in a part per row and one per column;
    compiler/Codegen/ScalarEmitter.h, KeySplit). No effects of its own; it is isolated from above so
    folded constants stay inside.

    ```mlir
    tile.score_fn {
    ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
      %cap = arith.constant 5.000000e+01 : f32
      %x = arith.divf %s, %cap : f32
      %t = math.tanh %x : f32
      %capped = arith.mulf %cap, %t : f32
      tile.yield %capped : f32
    }
    ```
  }];

  let regions = (region SizedRegion<1>:$region);
  let assemblyFormat = "attr-dict-with-keyword $region";
  let hasRegionVerifier = 1;

  let skipDefaultBuilders = 1;
  let builders = [
    // Creates the entry block with the eight arguments (s: f32, then seven
    // i64) and no terminator: append the score and a tile.yield of one f32.
    OpBuilder<(ins)>
  ];

  let extraClassDeclaration = [{
    static constexpr unsigned kNumArgs = 8;

    ::mlir::BlockArgument getScoreArg() { return getBody()->getArgument(0); }
    ::mlir::BlockArgument getBatchArg() { return getBody()->getArgument(1); }
    ::mlir::BlockArgument getHeadArg() { return getBody()->getArgument(2); }
    ::mlir::BlockArgument getQueryArg() { return getBody()->getArgument(3); }
    ::mlir::BlockArgument getKeyArg() { return getBody()->getArgument(4); }
    ::mlir::BlockArgument getQueryLenArg() { return getBody()->getArgument(5); }
    ::mlir::BlockArgument getKeyLenArg() { return getBody()->getArgument(6); }
    ::mlir::BlockArgument getNumHeadsArg() { return getBody()->getArgument(7); }

    /// The terminator, and the f32 it yields (the modified score).
    YieldOp getYieldOp();
    ::mlir::Value getModifiedScore();
  }];
}

def Tile_SinkFnOp : Tile_Op<"sink_fn", [
    HasParent<"KernelOp">, IsolatedFromAbove, SingleBlock,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>
  ]> {
  let summary = "the sink logit of the kernel";
  let description = [{
    σ(b, h): one more logit in every row's softmax denominator, with no value
    row (off-by-one softmax, gpt-oss attention sinks). A pure function of
    three `i64` block arguments, batch `b`, query head `h` and the number of
    query heads `hq`, ending in `tile.yield` of one `f32`. The body is
    `arith` and `math` with `tile.read` / `tile.param` (copied from the sink
    region of `attn.attention`).

    Optional: at most one per kernel, after `tile.mask_fn` (and
    `tile.score_fn`, if any) and before `tile.kv_bounds`. The epilogue then
    normalises with it: m' = max(m, σ), l' = l·e^(m−m') + e^(σ−m'),
    O = acc·e^(m−m') / l', LSE = m' + log l'; a row with no kept key gets
    O = 0 and LSE = σ. σ = −inf is plain softmax.

    Lowering: `constexpr bool kHasSink = true` and `ATTN_HD float
    sink_fn(const attn_forward_params &p, int64_t b, int64_t h, int64_t hq)`
    in the variant's namespace, called once per CTA by the epilogue. No
    effects of its own.

    ```mlir
    tile.sink_fn {
    ^bb0(%b: i64, %h: i64, %hq: i64):
      %sigma = tile.read %h {dtype = f32, shape = ["hq"], slot = 0 : i64} : f32
      tile.yield %sigma : f32
    }
    ```
  }];

  let regions = (region SizedRegion<1>:$region);
  let assemblyFormat = "attr-dict-with-keyword $region";
  let hasRegionVerifier = 1;

  let skipDefaultBuilders = 1;
  let builders = [
    // Creates the entry block with the three i64 arguments and no
    // terminator: append the logit and a tile.yield of one f32.
    OpBuilder<(ins)>
  ];

  let extraClassDeclaration = [{
    static constexpr unsigned kNumArgs = 3;

    ::mlir::BlockArgument getBatchArg() { return getBody()->getArgument(0); }
    ::mlir::BlockArgument getHeadArg() { return getBody()->getArgument(1); }
    ::mlir::BlockArgument getNumHeadsArg() { return getBody()->getArgument(2); }

    /// The terminator, and the f32 it yields (the sink logit).
    YieldOp getYieldOp();
    ::mlir::Value getSinkLogit();
  }];
}

def Tile_RowKeysOp : Tile_Op<"row_keys", [
    HasParent<"KernelOp">, IsolatedFromAbove, SingleBlock,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>
  ]> {
  let summary = "the keys a query row keeps, as intervals";
  let description = [{
    For a mask affine in (q, k) (causal, window, sink, chunk, prefix,
    block-diagonal and their combinations), the keys that row `q` keeps among
    the keys of the problem, as one or two intervals: a pure function of three
    `i64` block arguments, query index `q` and the sequence lengths `sq`,
    `skv`, ending in `tile.yield` of `lo, hi` per interval (two or four
    `i64`), with

        mask_fn(b, h, q, k, sq, skv) && k < skv
          <=>  lo_1 <= k <= hi_1  ||  lo_2 <= k <= hi_2

    for every valid row q < sq and key 0 <= k < skv, and the ends clamped to
    lo ∈ [0, skv], hi ∈ [-1, skv - 1] so that they fit 32 bits (an empty
    interval has lo > hi).

    Optional: at most one per kernel, after `tile.mask_fn` and before
    `tile.kv_bounds`. A kernel that has one may test a partial tile's
    elements against the intervals (two compares per interval, the row's ends
    computed once per tile) instead of calling `mask_fn`; both say the same.

    Lowering: `constexpr int kRowKeyIntervals = n` and `ATTN_HD
    attn::device::RowKeys<n> row_keys(const attn_forward_params &p, int64_t
    q, int64_t sq, int64_t skv)` in the variant's namespace (n = 0 and no
    function without the op). No effects of its own.

    ```mlir
    tile.row_keys {
    ^bb0(%q: i64, %sq: i64, %skv: i64):
      ...
      tile.yield %lo, %hi : i64, i64
    }
    ```
  }];

  let regions = (region SizedRegion<1>:$region);
  let assemblyFormat = "attr-dict-with-keyword $region";
  let hasRegionVerifier = 1;

  let skipDefaultBuilders = 1;
  let builders = [
    // Creates the entry block with the three i64 arguments and no
    // terminator: append the ends and a tile.yield of two (or four) i64.
    OpBuilder<(ins)>
  ];

  let extraClassDeclaration = [{
    static constexpr unsigned kNumArgs = 3;
    /// Most intervals a row may keep.
    static constexpr unsigned kMaxIntervals = 2;

    ::mlir::BlockArgument getQueryArg() { return getBody()->getArgument(0); }
    ::mlir::BlockArgument getQueryLenArg() { return getBody()->getArgument(1); }
    ::mlir::BlockArgument getKeyLenArg() { return getBody()->getArgument(2); }

    /// The terminator, and the number of intervals it yields (two ends each).
    YieldOp getYieldOp();
    unsigned getNumIntervals();
  }];
}

def Tile_KvBoundsOp : Tile_Op<"kv_bounds", [
    HasParent<"KernelOp">, IsolatedFromAbove, SingleBlock,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>
  ]> {
  let summary = "the kv tiles that one q tile visits";
  let description = [{
    For the q tile `q_tile` (query rows [q_tile * block_m, (q_tile + 1) *
    block_m)) and the sequence lengths `sq`, `skv` (three `i64` block
    arguments), yields one or two **kv ranges** of four kv-tile indices each
    (tiles of block_n keys), with the invariant

        begin <= full_begin <= full_end <= end

    per range. In each range:

    * tiles in [full_begin, full_end) are **full**: every (q, k) pair of the
      tile is kept by the mask and every key is < skv; they run with no mask
      code (`span = full`);
    * tiles in [begin, full_begin) and [full_end, end) are **partial**: the
      mask predicate and the k < skv bound are evaluated per element
      (`span = partial_low` and `span = partial_high`);
    * tiles outside [begin, end) of every range are **empty** (every pair
      masked) and never visited. A q tile that visits no tile writes O = 0
      and LSE = -inf.

    A second range serves masks whose rows keep two disjoint intervals of
    keys (a sink and a window): the tiles between the ranges are empty and
    never visited. The ranges are listed in visiting order, range 0 above
    range 1 (range1.end <= range0.begin), and never share a tile.

    The bounds must be conservative: a tile called full must be full, a tile
    called empty must be empty. The body is `arith` (closed forms) or one
    `tile.scan_kv_tiles` (run-time classification, one range), ending in
    `tile.yield` of the four (or eight) values in that order.

    Lowering: `__host__ __device__ inline attn::device::KvTiles
    kv_bounds(int64_t q_tile, int64_t sq, int64_t skv)` in the variant's
    namespace (returning `attn::device::KvTilesPair {high, low}` for two
    ranges), called once per CTA. No effects of its own.

    ```mlir
    tile.kv_bounds {
    ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
      ...
      tile.yield %begin, %full_begin, %full_end, %end : i64, i64, i64, i64
    }
    ```
  }];

  let regions = (region SizedRegion<1>:$region);
  let assemblyFormat = "attr-dict-with-keyword $region";
  let hasRegionVerifier = 1;

  let skipDefaultBuilders = 1;
  let builders = [
    // Creates the entry block with the three i64 arguments and no
    // terminator: append the arithmetic and a tile.yield of four (or eight)
    // i64.
    OpBuilder<(ins)>
  ];

  let extraClassDeclaration = [{
    static constexpr unsigned kNumArgs = 3;

    ::mlir::BlockArgument getQueryTileArg() { return getBody()->getArgument(0); }
    ::mlir::BlockArgument getQueryLenArg() { return getBody()->getArgument(1); }
    ::mlir::BlockArgument getKeyLenArg() { return getBody()->getArgument(2); }

    /// Most kv ranges a q tile may have.
    static constexpr unsigned kMaxRanges = 2;

    /// The terminator; the number of kv ranges it yields (four values
    /// each), and the four kv-tile indices of one range.
    YieldOp getYieldOp();
    unsigned getNumRanges();
    ::mlir::Value getBegin(unsigned range = 0);
    ::mlir::Value getFullBegin(unsigned range = 0);
    ::mlir::Value getFullEnd(unsigned range = 0);
    ::mlir::Value getEnd(unsigned range = 0);
  }];
}

def Tile_ScanKvTilesOp : Tile_Op<"scan_kv_tiles", [
    HasParent<"KvBoundsOp">, Pure
  ]> {
  let summary = "kv-tile bounds of a q tile found at run time from the mask";
  let description = [{
    For masks with no closed-form kv range, classifies every kv tile
    j in [0, ceil(skv / block_n)) of q tile `q_tile` at run time by
    evaluating the kernel's `tile.mask_fn` over the tile's index box with
    interval arithmetic (b and h unknown, q and k the tile's ranges clipped to
    sq and skv): a tile where no pair may be kept is empty, one where no pair
    may be dropped (and every key is < skv) is full, anything else partial.
    Yields (begin, full_begin, full_end, end) for `tile.kv_bounds`: begin and
    end enclose the non-empty tiles; [full_begin, full_end) are the full
    tiles when they are contiguous, else the empty range at begin, so every
    tile in between is visited as partial. Interval arithmetic is sound, so
    the bounds are conservative.

    Lowering: `attn::device::scan_kv_tiles(q_tile, sq, skv, kBlockM,
    kBlockN, mask_box)` (runtime/device/attn/device/scan.h); on the device
    the threads of the CTA split the tiles and reduce, so every thread of the
    block must reach it.

    ```mlir
    %begin, %full_begin, %full_end, %end = tile.scan_kv_tiles %q_tile, %sq, %skv
    ```
  }];
  let arguments = (ins I64:$q_tile, I64:$query_len, I64:$key_len);
  let results = (outs I64:$begin, I64:$full_begin, I64:$full_end, I64:$end);
  let assemblyFormat = "$q_tile `,` $query_len `,` $key_len attr-dict";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$qTile, "::mlir::Value":$queryLen,
                   "::mlir::Value":$keyLen), [{
      ::mlir::Type i64 = $_builder.getI64Type();
      build($_builder, $_state, i64, i64, i64, i64, qTile, queryLen, keyLen);
    }]>
  ];
}

def Tile_KvLoopOp : Tile_Op<"kv_loop", [
    HasParent<"KernelOp">, SingleBlockImplicitTerminator<"YieldOp">,
    NoRegionArguments
  ]> {
  let summary = "a loop over the kv tiles of one span, highest tile first";
  let description = [{
    Runs its body once per kv tile j of its span, from the highest tile down
    (`for (j = hi - 1; j >= lo; --j)`), with [lo, hi) taken from kv range
    `range` (0 unless given, and then not printed) of `tile.kv_bounds`:

    * `partial_high`: [full_end, end)   (e.g. the diagonal tiles of a causal mask)
    * `full`:         [full_begin, full_end)
    * `partial_low`:  [begin, full_begin)
    * `routed`:       the tiles of the kv blocks the kernel's routing list
                      names for this q tile, within [begin, end): listed
                      blocks from the highest down, each from its top tile.
                      Its `tile.apply_mask` masks only the partial tiles
                      (outside [full_begin, full_end)), a branch per tile.
    * `boxes`:        a kernel that tiles a grid in N-d: the kv boxes that
                      may keep a pair of the q box, from the last down
                      (attn/device/grid_kv_tiles.h; kv_bounds is not read).
                      Each box is classified as the walk reaches it: its
                      `tile.apply_mask` masks only the partial ones, a
                      branch per tile.

    A non-empty body holds `tile.mma_qk`, `tile.online_softmax` and
    `tile.mma_pv` exactly once each and in that order, each preceded by the
    `tile.wait` of the operand it reads (K for mma_qk, V for mma_pv). In a
    kernel with a `tile.score_fn`, `tile.apply_score` comes right after
    mma_qk, in every span. Partial loops apply the mask between mma_qk (and
    apply_score) and online_softmax; a full loop must not: full tiles carry
    no mask code. An empty body is allowed; it does nothing and
    canonicalization erases the loop.

    Lowering: the `for` loop above around the body's device calls, with
    `next` the following visited tile (j - 1, else the top of the next range,
    else -1); a routed loop walks a cursor over the list
    (attn/device/routing.h), a boxes loop one over the kv boxes
    (attn/device/grid_kv_tiles.h). No effects of its own beyond those of its body.

    ```mlir
    tile.kv_loop {span = full, range = 1} {
      tile.wait {operand = k}
      tile.load {operand = v, which = current}
      tile.mma_qk
      tile.wait {operand = v}
      tile.load {operand = k, which = next}
      tile.online_softmax
      tile.mma_pv
    }
    ```
  }];

  let arguments = (ins Tile_KvSpanAttr:$span,
                       DefaultValuedAttr<I64Attr, "0">:$range);
  let regions = (region SizedRegion<1>:$region);

  let assemblyFormat =
      "` ` `{` `span` `=` `` $span (`,` `range` `=` $range^)? `}` "
      "attr-dict-with-keyword $region";
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;

  let skipDefaultBuilders = 1;
  let builders = [
    // Creates the loop with a body holding only its tile.yield; insert the
    // steps before the terminator.
    OpBuilder<(ins "KvSpan":$span, CArg<"int64_t", "0">:$range)>
  ];
}

def Tile_GridCoordOp : Tile_Op<"grid_coord", [
    Pure, ParentOneOf<["MaskFnOp", "ScoreFnOp"]>
  ]> {
  let summary = "a coordinate of a token on the kernel's grid";
  let description = [{
    `(index / stride) % size`: the coordinate of token `index` along axis
    `axis` of the kernel's `grid` (row-major), as `attn.grid_coord`.

    Lowering: that arithmetic in the scalar hooks. In the interval image of
    a mask (the run-time kv-tile classification), the coordinate of the
    hook's q or k argument is read from the tile's box: exact per axis when
    the kernel tiles the grid in N-D (a tile is a box of the grid), and the
    image of the division and remainder when it tiles the token sequence.

    ```mlir
    %qy = tile.grid_coord %q {axis = 0 : i64, size = 96 : i64, stride = 96 : i64}
    ```
  }];
  let arguments = (ins I64:$index, I64Attr:$axis, I64Attr:$stride, I64Attr:$size);
  let results = (outs I64:$coord);
  let assemblyFormat = "$index attr-dict";
}

def Tile_ParamOp : Tile_Op<"param", [
    Pure, ParentOneOf<["MaskFnOp", "ScoreFnOp", "SinkFnOp"]>
  ]> {
  let summary = "a runtime scalar parameter, read from the kernel parameters";
  let description = [{
    The `index`-th int (result `i64`) or float (result `f32`) parameter of
    the call: `p.int_params[index]` or `p.float_params[index]` of
    `attn_forward_params` (abi.h). Int and float parameters are numbered
    separately. Pure: constant during a call.

    Lowering: that field, in the hook function (which takes the params).

    ```mlir
    %w = tile.param {index = 0 : i64} : i64
    ```
  }];
  let arguments = (ins I64Attr:$index);
  let results = (outs AnyTypeOf<[I64, F32]>:$value);
  let assemblyFormat = "attr-dict `:` type($value)";
  let hasVerifier = 1;
}

def Tile_ReadOp : Tile_Op<"read", [
    Pure, ParentOneOf<["MaskFnOp", "ScoreFnOp", "SinkFnOp"]>
  ]> {
  let summary = "an element of a runtime tensor, read from global memory";
  let description = [{
    The element of runtime tensor `slot` (`p.tensors[slot]` of
    `attn_forward_params`, elements of type `dtype`, dimensions `shape` as
    declared: "b", "hq", "sq", "skv" or a size) at the `i64` indices, one
    per dimension: address = data + Σ index·stride. `i32` reads as `i64`,
    f32/f16/bf16 as `f32`. Indices are in bounds by construction (the front
    end's rule, docs/spec.md). Pure: the tensor is read-only during a call.

    Lowering: `attn::device::read_tensor<T>(p.tensors[slot], i0, ...)`, a
    plain global load (the hook runs on the device and on the host).
    In `mask_box` (interval image) an i32 read of shape ["b", "sq" | "skv"]
    or ["sq" | "skv"] is the hull of the call's plan summaries over the
    index range (attn/device/plan.h), and the kernel gets a plan kernel
    that builds them; any other i32 read is any int32.

    ```mlir
    %doc = tile.read %b, %k {dtype = i32, shape = ["b", "skv"], slot = 0 : i64} : i64
    ```
  }];
  let arguments = (ins Variadic<I64>:$indices, I64Attr:$slot, TypeAttr:$dtype,
                       ArrayAttr:$shape);
  let results = (outs AnyTypeOf<[I64, F32]>:$value);
  let assemblyFormat = "$indices attr-dict `:` type($value)";
  let hasVerifier = 1;
}

def Tile_YieldOp : Tile_Op<"yield", [
    Pure, Terminator, ReturnLike,
    ParentOneOf<["MaskFnOp", "ScoreFnOp", "SinkFnOp", "RowKeysOp", "KvBoundsOp", "KvLoopOp"]>
  ]> {
  let summary = "terminates a tile region and yields its values";
  let description = [{
    Ends the body of `tile.mask_fn` (yields one `i1`: keep), `tile.score_fn`
    (yields one `f32`: the modified score), `tile.sink_fn` (yields one
    `f32`: the sink logit), `tile.row_keys` (yields two `i64` per interval:
    lo, hi), `tile.kv_bounds`
    (yields four `i64` per kv range: begin, full_begin, full_end, end) or
    `tile.kv_loop`
    (yields nothing; implicit, not printed). Lowered to the `return` of the
    hook function. No effects.

    ```mlir
    tile.yield %keep : i1
    ```
  }];

  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins), [{ /* yields nothing */ }]>];
}

//===----------------------------------------------------------------------===//
// Steps: calls of the device tile object. No SSA operands; they read and
// write shared memory, registers and global memory, which the declared
// memory effects model so that canonicalize and CSE never erase, merge or
// reorder them.
//===----------------------------------------------------------------------===//

class Tile_StepOp<string mnemonic, list<Trait> traits = []>
    : Tile_Op<mnemonic, !listconcat(traits,
                                    [MemoryEffects<[MemRead, MemWrite]>])>;

def Tile_LoadQOp : Tile_StepOp<"load_q", [HasParent<"KernelOp">]> {
  let summary = "load the q tile";
  let description = [{
    Copies the CTA's q tile, [block_m, head_dim] of `element_type`, from
    global to shared memory with cp.async 16-byte copies (rows at or past sq
    zero-filled), then into mma A-fragments in registers (ldmatrix).
    Kernel level, before every kv loop.

    Lowering: `t.load_q()`. Effects: reads global Q, writes shared memory and
    registers.
  }];
  let assemblyFormat = "attr-dict";
}

def Tile_LoadOp : Tile_StepOp<"load", [ParentOneOf<["KernelOp", "KvLoopOp"]>]> {
  let summary = "start the asynchronous load of a K or V tile";
  let description = [{
    Issues cp.async 16-byte copies of one [block_n, head_dim] tile of
    `operand` (K or V) from global memory into its shared-memory stage
    buffer, zero-filling rows at or past skv, and commits them as one
    cp.async group. `tile.wait` of the same operand completes it.

    * `which = first`: the first visited tile, end - 1 of the first
      non-empty range; the prologue load, at kernel level only.
    * `which = current`: the tile of this iteration; inside a kv loop only.
    * `which = next`: the tile of the next iteration: j - 1, which may be in
      the next loop; below the begin of range 0 the last tile of range 1;
      nothing below the begin of the last range. Inside a kv loop only.

    Lowering: `t.load_k(tile)` / `t.load_v(tile)`. Effects: reads global K or
    V, writes shared memory.

    ```mlir
    tile.load {operand = k, which = first}
    ```
  }];
  let arguments = (ins Tile_KvOperandAttr:$operand, Tile_TileWhichAttr:$which);
  let assemblyFormat =
      "` ` `{` `operand` `=` `` $operand `,` `which` `=` `` $which `}` attr-dict";
  let hasVerifier = 1;
}

def Tile_WaitOp : Tile_StepOp<"wait", [HasParent<"KvLoopOp">]> {
  let summary = "wait for the pending load of a K or V tile";
  let description = [{
    Waits until the cp.async group of the current `operand` tile has landed
    (cp.async.wait_group) and makes it visible to the whole CTA
    (__syncthreads), so that the following mma may read it.

    Lowering: `t.wait_k()` / `t.wait_v()`. Effects: reads and writes shared
    memory (a barrier).

    ```mlir
    tile.wait {operand = k}
    ```
  }];
  let arguments = (ins Tile_KvOperandAttr:$operand);
  let assemblyFormat = "` ` `{` `operand` `=` `` $operand `}` attr-dict";
}

def Tile_MmaQkOp : Tile_StepOp<"mma_qk", [HasParent<"KvLoopOp">]> {
  let summary = "scores S = Q K^T of the current kv tile";
  let description = [{
    S = Q · K_jᵀ, [block_m, block_n] f32 accumulators in registers, from Q in
    registers and the current K tile in shared memory. On sm_80: ldmatrix +
    mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16} (PTX ISA "Warp-level
    matrix multiply-accumulate"); each warp owns block_m / num_warps rows.

    Lowering: `t.mma_qk()`. Effects: reads shared memory, writes registers.
  }];
  let assemblyFormat = "attr-dict";
}

def Tile_ApplyScoreOp : Tile_StepOp<"apply_score", [HasParent<"KvLoopOp">]> {
  let summary = "modify the scores of the current kv tile";
  let description = [{
    S[q, k] ← score_fn(scale · (Q K_jᵀ)[q, k], b, h, q, k, sq, skv, hq) for
    every element of the tile, with the kernel's `tile.score_fn`; the
    softmax that follows uses the modified scores as they are (the scale is
    inside). Right after `tile.mma_qk`, before `tile.apply_mask`, in every kv
    loop (full and partial) of a kernel with a score_fn, and only there.
    Whatever it yields for a key at or past skv is dropped by the mask of the
    ragged last tile.

    Lowering: `t.apply_score(j, score)`, where `score` calls the variant's
    `score_fn` hook per element. Effects: reads and writes the S registers.
  }];
  let assemblyFormat = "attr-dict";
}

def Tile_ApplyMaskOp : Tile_StepOp<"apply_mask", [HasParent<"KvLoopOp">]> {
  let summary = "mask the scores of a partial tile";
  let description = [{
    Sets S[q, k] = -inf wherever `mask_fn(b, h, q, k, sq, skv)` is false or
    k >= skv (the ragged last tile). Only in partial kv loops; full tiles
    carry no mask code.

    Lowering: `t.apply_mask(mask_fn, ...)` calling the variant's `mask_fn`
    hook per element. Effects: reads and writes the S registers.
  }];
  let assemblyFormat = "attr-dict";
}

def Tile_OnlineSoftmaxOp : Tile_StepOp<"online_softmax", [HasParent<"KvLoopOp">]> {
  let summary = "online-softmax update with the scores of the current tile";
  let description = [{
    Per query row: m' = max(m, max_k S), P = exp2(S * scale * log2(e) -
    m' * scale * log2(e)), l = l * exp2((m - m') * scale * log2(e)) +
    sum_k P, O = O * exp2((m - m') * scale * log2(e)); m = m'. A row whose
    scores are all -inf so far keeps m = -inf and uses 0 as its max in the
    exponent, so that no NaN (-inf - -inf) arises. In a kernel with a
    `tile.score_fn`, `tile.apply_score` has already scaled S, and `scale` is
    1 here and in the epilogue's LSE.

    Lowering: `t.online_softmax()`. Effects: reads S, writes P, m, l and O
    registers.
  }];
  let assemblyFormat = "attr-dict";
}

def Tile_MmaPvOp : Tile_StepOp<"mma_pv", [HasParent<"KvLoopOp">]> {
  let summary = "accumulate O += P V with the current V tile";
  let description = [{
    O += P · V_j, [block_m, head_dim] f32 accumulators, with P converted to
    `element_type` in registers and V_j from shared memory (ldmatrix.trans +
    mma.sync m16n8k16 on sm_80).

    Lowering: `t.mma_pv()`. Effects: reads shared memory and registers,
    writes the O registers.
  }];
  let assemblyFormat = "attr-dict";
}

def Tile_EpilogueOp : Tile_StepOp<"epilogue", [HasParent<"KernelOp">]> {
  let summary = "normalize and store O (and the log-sum-exp)";
  let description = [{
    O = O / l, converted to `element_type` and stored to global memory (rows
    at or past sq skipped). With `write_lse`, also stores the f32 log-sum-exp
    LSE = m * scale + log(l) per row. A row with no kept key (l = 0) stores
    O = 0 and LSE = -inf. Last op of the kernel.

    Lowering: `t.epilogue()`. Effects: reads registers, writes global O and
    LSE.

    ```mlir
    tile.epilogue {write_lse = true}
    ```
  }];
  let arguments = (ins DefaultValuedAttr<BoolAttr, "true">:$write_lse);
  let assemblyFormat = "` ` `{` `write_lse` `=` $write_lse `}` attr-dict";
}

#endif // ATTNC_DIALECTS_TILE_IR_TILEOPS_TD
