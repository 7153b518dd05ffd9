#!/usr/bin/env python3
"""attnc against the PyTorch peers (sdpa_flash, sdpa_cudnn, flex) on the shared workload suite.

A workload is served by the library that bench/workload_specs.json names for it (workload name ->
spec name), else by one found automatically (same dtype, head dim and mask kind: "none" ->
manifest mask "none", "causal" -> "causal", no score expression and no routing); GQA goes
through hkv. A workload with a score_mod (softcap, alibi) is served only by a library named for
it, and so is a block_topk workload, by a library with routing: its routing tensor lists the
blocks peers.py selects (routing_lists). Before timing, the library's mask expression (evaluated
by gpu/mask_expr.py; with its routing, by gpu/reference.py) is checked against the workload's own
mask (peers.py's mask_mod_for) on every (q, k) pair of the workload's shape, and its score
expression (manifest "score", absent = identity; gpu/score_expr.py) against the workload's
score_mod (peers.py's score_mod_for; none = identity) on a small random tensor of scores. Our
kernel and each peer then run on the same [B, H, S, D] tensors in one process. Timing is
triton.testing.do_bench's median (warmup 50 ms, rep 300 ms), as peers.py does; TFLOP/s counts
4·B·Hq·D per (q, k) pair that the workload's mask keeps; max_abs_err is against peers.py's float32
reference on batch slice 0, with that mask and score_mod. Workloads we cannot serve are listed
with the reason.

For a masked workload, `density` is the fraction of (q, k) pairs kept and `ratio_vs_own_dense` is
our time over the time of our dense library (same dtype and head dim, mask "none") at the same
shape: the goal "time follows the kept work" reads ratio_vs_own_dense <= 1.25 · density + overhead.

    python3 bench/bench.py --libs-dir build/examples [--lib path ...] [--peers-dir DIR]
                           [--suite workloads.json] [--specs workload_specs.json]
                           [--only name,...] [--peers sdpa_flash,...] [--json out.json] [--no-lse]

peers.py is found in --peers-dir, else ../shared/bench beside the repository, else
.shared_bench/ in the repository (where it is copied for the GPU machine).
"""
import argparse
import datetime
import glob
import json
import math
import os
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "python"))
sys.path.insert(0, os.path.join(REPO, "gpu"))
WORKLOAD_SPECS = os.path.join(HERE, "workload_specs.json")

from mask_expr import MaskError  # noqa: E402  (pure Python; torch is imported where needed)
from score_expr import compile_score  # noqa: E402
from provenance import commit  # noqa: E402

PEERS = ["sdpa_flash", "sdpa_cudnn", "flex"]
# workload dtype -> manifest dtype; workload mask kind -> manifest mask
DTYPES = {"bf16": "bf16", "fp16": "f16", "f16": "f16"}
MASKS = {"none": "none", "causal": "causal"}


def find_peers_dir(explicit):
    candidates = [explicit] if explicit else [os.path.join(REPO, "..", "shared", "bench"),
                                              os.path.join(REPO, ".shared_bench")]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "peers.py")):
            return os.path.abspath(c)
    sys.exit(f"bench.py: peers.py not found in {', '.join(c for c in candidates if c)}")


def load_workload_specs(path=WORKLOAD_SPECS):
    """workload_specs.json: {workload name: spec (library) name}."""
    with open(path) as f:
        table = json.load(f)
    if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in table.items()):
        raise ValueError(f"{path}: expected an object of workload name -> spec name strings")
    return table


class MismatchError(Exception):
    """workload_specs.json names a library that cannot serve the workload: a configuration error,
    reported as a failure rather than a skip."""


def library_score(lib):
    """The library's score expression as its manifest gives it ("s", the identity, if none)."""
    return (getattr(lib, "manifest", None) or {}).get("score") or "s"


def has_identity_score(lib):
    """Whether the library leaves scores as they are (no score expression, or "s"). An expression
    gpu/score_expr.py cannot read counts as a modification."""
    try:
        return compile_score(library_score(lib)).is_identity
    except MaskError:
        return False


def _automatic(workload, libraries, dtype):
    if workload.get("score_mod"):
        return None, (f"score_mod {workload['score_mod'].get('kind')}: no library named for it "
                      f"in workload_specs.json")
    kind = (workload.get("mask") or {"kind": "none"})["kind"]
    mask = MASKS.get(kind)
    if mask is None:
        return None, f"mask {kind}: not compiled"
    for lib in libraries:
        if (lib.dtype == dtype and lib.head_dim == workload["d"] and lib.mask == mask
                and has_identity_score(lib) and not is_routed(lib)):
            return lib, None
    return None, f"no library for ({dtype}, d{workload['d']}, {mask})"


def match(workload, libraries, specs=None):
    """(library, None) for the library serving `workload`, or (None, why not). The library named
    for it in `specs` (workload_specs.json) comes first; without one, or when that library is not
    loaded, the automatic match (which serves no workload with a score_mod). Raises
    MismatchError if the named library has another dtype or head dim than the workload; a wrong
    mask or score expression is found before timing (mask_disagreement, score_disagreement)."""
    if workload.get("backward"):
        return None, "backward: not compiled"
    dtype = DTYPES.get(workload.get("dtype", "bf16"))
    name = (specs or {}).get(workload["name"])
    if name is None:
        return _automatic(workload, libraries, dtype)
    named = [lib for lib in libraries if lib.name == name]
    if named:
        lib = named[0]
        if lib.dtype != dtype or lib.head_dim != workload["d"]:
            raise MismatchError(f"workload_specs.json serves it with {name} ({lib.dtype} "
                                f"d{lib.head_dim}), but it is {dtype} d{workload['d']}")
        return lib, None
    lib, why = _automatic(workload, libraries, dtype)
    return (lib, None) if lib else (None, f"library {name} (workload_specs.json) not loaded; {why}")


def is_routed(lib):
    """Whether the library's spec has routing (manifest "routing"): its mask text then tells only
    part of what it keeps."""
    return bool((getattr(lib, "manifest", None) or {}).get("routing"))


def is_dense(lib):
    """Whether the library's mask keeps every pair by its very text ("none", "true", "") and it
    has neither a score expression nor routing: plain attention."""
    return (" ".join(str(lib.mask).split()) in ("", "none", "none()", "true", "(none)", "(true)")
            and has_identity_score(lib) and not is_routed(lib))


def dense_library(lib, libraries):
    """Our dense library with lib's dtype and head dim, or None."""
    dense = [l for l in libraries if l.dtype == lib.dtype and l.head_dim == lib.head_dim
             and is_dense(l)]
    return min(dense, key=lambda l: l.name) if dense else None


def workload_data(lib, w, dev):
    """The runtime data (docs/spec.md "tensors", "params") a library reads, built from the
    workload's definition: document ids from a document mask's doc_lens, the routing lists from a
    block_topk mask's selection (routing_lists). None when the library declares none;
    MismatchError when the workload cannot supply what it declares."""
    import torch
    tensors, params = lib.manifest.get("tensors") or [], lib.manifest.get("params") or []
    if not tensors and not params:
        return None
    m = w.get("mask") or {}
    routing = lib.manifest.get("routing")
    if routing and not params and len(tensors) == 1 and tensors[0]["name"] == routing["tensor"]:
        return {"tensors": {routing["tensor"]: routing_lists(lib, w, tensors[0], dev)},
                "params": {}}
    if (m.get("kind") == "document" and not params and len(tensors) == 1
            and tensors[0]["dtype"] == "i32" and tensors[0]["shape"] in (["b", "skv"], ["skv"])):
        ids = torch.cat([torch.full((n,), i, dtype=torch.int32)
                         for i, n in enumerate(m["doc_lens"])]).to(dev)
        if tensors[0]["shape"] == ["b", "skv"]:
            ids = ids.expand(w["b"], -1).contiguous()
        return {"tensors": {tensors[0]["name"]: ids}, "params": {}}
    raise MismatchError(f"{lib.name} reads runtime data {[t['name'] for t in tensors]} "
                        f"{[p['name'] for p in params]} that workload {w['name']} does not define")


def block_topk_selection(m, sq, skv):
    """The key blocks each query block keeps under a block_topk mask `m`, as peers.py's
    mask_mod_for selects them (the same generator, seeding and randperm calls, in the same order):
    query block i draws min(topk, allowed) of its allowed blocks (the first i + 1 when causal,
    else all), and keeps its own block too when causal (MoBA). A list of sorted lists, one per
    query block; the same for every batch and head."""
    import torch
    blk, topk = m["block"], m["topk"]
    g = torch.Generator(device="cpu").manual_seed(m.get("seed", 0))
    nq, nk = math.ceil(sq / blk), math.ceil(skv / blk)
    causal = m.get("causal", True)
    rows = []
    for i in range(nq):
        allowed = i + 1 if causal else nk
        chosen = set(torch.randperm(allowed, generator=g)[: min(topk, allowed)].tolist())
        if causal:
            chosen.add(i)
        rows.append(sorted(chosen))
    return rows


def routing_lists(lib, w, decl, dev):
    """The routing tensor of `lib` (its manifest "tensors" entry `decl`) for a block_topk workload:
    query block i's row lists block_topk_selection's blocks, ascending, padded with -1 to the
    declared K, and is the same for every batch and head; contiguous, of the declared shape.
    MismatchError when the workload has no block selection, another block than the library's
    routing, or a row of more than K blocks."""
    import torch
    from runtime_data import extent
    m = w.get("mask") or {}
    block = int(lib.manifest["routing"]["block"])
    if m.get("kind") != "block_topk":
        raise MismatchError(f"{lib.name} routes by the list {decl['name']}, and workload "
                            f"{w['name']} (mask {m.get('kind', 'none')}) selects no blocks")
    if m["block"] != block:
        raise MismatchError(f"{lib.name} routes blocks of {block} keys, workload {w['name']} "
                            f"selects blocks of {m['block']}")
    width = int(decl["shape"][-1])
    rows = block_topk_selection(m, w["sq"], w["skv"])
    longest = max((len(r) for r in rows), default=0)
    if longest > width:
        raise MismatchError(f"workload {w['name']} keeps up to {longest} blocks for a query "
                            f"block; {lib.name}'s {decl['name']} lists at most {width}")
    lists = torch.full((len(rows), width), -1, dtype=torch.int32)
    for i, row in enumerate(rows):
        lists[i, :len(row)] = torch.tensor(row, dtype=torch.int32)
    sizes = types.SimpleNamespace(b=w["b"], hq=w["hq"], sq=w["sq"], skv=w["skv"])
    shape = [int(extent(dim, sizes)) for dim in decl["shape"]]
    return lists.expand(shape).contiguous().to(dev)


def mask_disagreement(lib, w, mm, dev, data=None):
    """None if the library's mask keeps exactly the (q, k) pairs the workload's mask_mod keeps at
    the workload's shape (for every batch and head, if the expression or the routing reads b or
    h); else what differs. The library's mask is gpu/reference.py's: its expression, and its
    routing over `data` (workload_data) if it has one. A mask the reference cannot read is
    reported as a disagreement too."""
    import torch
    from mask_expr import MaskError
    from reference import reference_mask
    try:
        mask = reference_mask(lib.manifest).with_data(data)
    except MaskError as e:
        return f"mask {lib.mask!r} of {lib.name} not readable by gpu/mask_expr.py: {e}"
    b, hq, sq, skv = w["b"], w["hq"], w["sq"], w["skv"]
    env = {}
    if "b" in mask.variables:
        env["b"] = torch.arange(b, device=dev)[:, None, None, None]
    if "h" in mask.variables:
        env["h"] = torch.arange(hq, device=dev)[None, :, None, None]
    per_row = skv * (b if "b" in env else 1) * (hq if "h" in env else 1)
    step = max(1, (1 << 26) // per_row)  # int64 temporaries of [rows, skv] stay under 512 MiB
    kv = torch.arange(skv, device=dev)[None, :]
    for s0 in range(0, sq, step):
        q = torch.arange(s0, min(sq, s0 + step), device=dev)[:, None]
        try:
            ours = mask(q=q, k=kv, sq=sq, skv=skv, **env)
        except MaskError as e:  # routing without its list in `data`
            return f"mask {lib.mask!r} of {lib.name} cannot be evaluated: {e}"
        theirs = mm(0, 0, q, kv) if mm is not None else torch.ones_like(ours)
        differ = ours ^ theirs
        if differ.any():
            first = tuple(int(i) for i in differ.nonzero()[0])
            keeps = "keeps" if bool(ours.expand(differ.shape)[first]) else "drops"
            where = list(first)
            where[-2] += s0  # the row index within the chunk -> q
            at = ", ".join(f"{n}={i}" for n, i in zip(["b", "h", "q", "k"][-len(where):], where))
            routing = lib.manifest.get("routing")
            routed = f" routed by {routing['tensor']}" if routing else ""
            return (f"{lib.name}'s mask {lib.mask!r}{routed} {keeps} ({at}) and the workload's "
                    f"mask does not")
    return None


# The score check: scores drawn at magnitudes from 1e-2 to 1e3 (softcap saturates from ~2·cap), at
# SCORE_CHECK_INDICES query and key indices spread over the workload's lengths (both ends
# included), for every batch and head, at the pairs the workload's mask keeps (the spec ignores
# the score of a dropped pair); float32, as the kernel computes scores. Both sides round
# each term in float32, so they agree to a few units of 2^-24 of the largest term; ALiBi's
# slope·|q - k| is at most |s| + |result|, hence the bound SCORE_RTOL · (1 + |s| + |theirs|).
SCORE_CHECK_INDICES = 64
SCORE_RTOL = 1e-5


def _spread_indices(n, count, generator):
    """Up to `count` sorted distinct indices in [0, n): 0, n - 1 and random ones between."""
    import torch
    if n <= count:
        return torch.arange(n)
    inner = torch.randperm(n - 2, generator=generator)[:count - 2] + 1
    return torch.cat([torch.tensor([0, n - 1]), inner]).sort().values


def score_disagreement(lib, w, sm, dev, mm=None, seed=0):
    """None if the library's score expression (manifest "score"; the identity if it has none)
    gives the scores the workload's score_mod `sm` gives (peers.py's score_mod_for; None is the
    identity) on a random float32 tensor of scores over the workload's batches, heads and a
    spread of its query and key indices (see SCORE_CHECK_INDICES), wherever the workload's
    mask_mod `mm` (None: every pair) keeps the pair; else what differs. An expression
    gpu/score_expr.py cannot read is reported as a disagreement too."""
    import torch
    source = library_score(lib)
    try:
        score = compile_score(source)
    except MaskError as e:
        return f"score {source!r} of {lib.name} not readable by gpu/score_expr.py: {e}"
    b, hq, sq, skv = w["b"], w["hq"], w["sq"], w["skv"]
    generator = torch.Generator().manual_seed(seed)
    rows = _spread_indices(sq, SCORE_CHECK_INDICES, generator)
    keys = _spread_indices(skv, SCORE_CHECK_INDICES, generator)
    shape = (b, hq, len(rows), len(keys))
    magnitude = 10.0 ** (torch.rand(shape, generator=generator) * 5 - 2)  # 1e-2 .. 1e3
    s = (torch.randn(shape, generator=generator) * magnitude).to(dev)  # float32
    grid = {"b": torch.arange(b, device=dev)[:, None, None, None],
            "h": torch.arange(hq, device=dev)[None, :, None, None],
            "q": rows.to(dev)[:, None], "k": keys.to(dev)[None, :]}
    ours = score(s, sq=sq, skv=skv, hq=hq, **grid).expand(shape)
    theirs = (sm(s, grid["b"], grid["h"], grid["q"], grid["k"]) if sm is not None else s)
    theirs = theirs.to(torch.float32).expand(shape)
    agree = ((ours == theirs) | (ours.isnan() & theirs.isnan())
             | ((ours - theirs).abs() <= SCORE_RTOL * (1 + s.abs() + theirs.abs())))
    if mm is not None:
        agree |= ~mm(0, 0, grid["q"], grid["k"])  # [rows, keys]: a dropped pair's score is moot
    if bool(agree.all()):
        return None
    first = tuple(int(i) for i in (~agree).nonzero()[0])
    bi, hi, qi, ki = first
    at = f"b={bi}, h={hi}, q={int(rows[qi])}, k={int(keys[ki])}"
    return (f"{lib.name}'s score {source!r} gives {float(ours[first]):.7g} at ({at}, "
            f"s={float(s[first]):.7g}) and the workload's score_mod "
            f"{(w.get('score_mod') or {}).get('kind', 'none')} gives {float(theirs[first]):.7g}")


def describe(lib):
    """name (dtype dD mask[, score expression])"""
    score = "" if has_identity_score(lib) else f", score {library_score(lib)}"
    return f"{lib.name} ({lib.dtype} d{lib.head_dim} {lib.mask}{score})"


def bench_ms(fn):
    import triton.testing
    return triton.testing.do_bench(fn, warmup=50, rep=300, return_mode="median")


def run_workload(w, lib, peers_mod, peer_names, need_lse, meta, dense=None, dense_cache=None):
    """Rows for our kernel and each peer. `dense`: our dense library to time at the same shape for
    ratio_vs_own_dense (None: not measured); `dense_cache` keeps its times across workloads."""
    import torch
    dev = "cuda"
    dt = peers_mod.DTYPES[w.get("dtype", "bf16")]
    b, hq, hkv, sq, skv, d = w["b"], w["hq"], w.get("hkv", w["hq"]), w["sq"], w["skv"], w["d"]
    scale = 1.0 / math.sqrt(d)
    torch.manual_seed(0)  # the same inputs peers.py draws
    q = torch.randn(b, hq, sq, d, device=dev, dtype=dt)
    k = torch.randn(b, hkv, skv, d, device=dev, dtype=dt)
    v = torch.randn(b, hkv, skv, d, device=dev, dtype=dt)
    mm, causal = peers_mod.mask_mod_for(w, dev)
    sm = peers_mod.score_mod_for(w, dev)
    pairs = peers_mod.kept_pairs(mm, sq, skv, dev)
    flops = 4.0 * b * hq * d * pairs
    density = pairs / (sq * skv)
    ref = peers_mod.reference(q, k, v, mm, sm, scale)
    gqa = hq != hkv
    rows = []

    def row(impl, ms, err, note=""):
        r = {"workload": w["name"], "impl": impl, "ms": ms,
             "tflops": flops / ms / 1e9 if ms else None, "max_abs_err": err, "density": density,
             **meta}
        if note:
            r["note"] = note
        rows.append(r)

    out = None
    try:
        data = workload_data(lib, w, dev)

        def ours():
            return lib.forward(q, k, v, scale=scale, need_lse=need_lse,
                               tensors=data and data["tensors"], params=data and data["params"])[0]

        differs = (mask_disagreement(lib, w, mm, dev, data)
                   or score_disagreement(lib, w, sm, dev, mm))
        if differs:
            raise MismatchError(differs)
        t0 = time.time()
        out = ours()
        torch.cuda.synchronize()
        first = time.time() - t0
        err = (out[:1].float() - ref).abs().max().item()
        ms = bench_ms(ours)
        row("attnc", ms, err, f"{lib.name}; first call {first:.2f}s")
    except Exception as e:
        row("attnc", None, None, f"error: {type(e).__name__}: {str(e)[:200]}")
    del out
    mine = rows[0]
    cache = dense_cache if dense_cache is not None else {}
    if mine["ms"] and mm is None and sm is None and is_dense(lib):  # what masks compare to
        cache[(lib.path, b, hq, hkv, sq, skv, need_lse)] = mine["ms"]
    if mine["ms"] and dense is not None and (mm is not None or sm is not None):
        key = (dense.path, b, hq, hkv, sq, skv, need_lse)
        try:
            if key not in cache:
                cache[key] = bench_ms(lambda: dense.forward(q, k, v, scale=scale, need_lse=need_lse))
            mine.update(dense_library=dense.name, dense_ms=cache[key],
                        ratio_vs_own_dense=mine["ms"] / cache[key])
        except Exception as e:
            mine["dense_note"] = f"error: {type(e).__name__}: {str(e)[:200]}"
        torch.cuda.empty_cache()
    for peer in peer_names:
        try:
            call, note = peers_mod.make_call(peer, w, mm, causal, sm, scale, gqa, sq, skv, dev)
            if call is None:
                row(peer, None, None, note)
                continue
            t0 = time.time()
            out = call(q, k, v)
            torch.cuda.synchronize()
            note = (note + f" first call {time.time() - t0:.1f}s").strip()
            err = (out[:1].float() - ref).abs().max().item()
            del out
            ms = bench_ms(lambda: call(q, k, v))
            row(peer, ms, err, note)
        except Exception as e:
            row(peer, None, None, f"error: {type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}")
        torch.cuda.empty_cache()
    # Ratios on our row: > 1 means we are faster.
    if mine["ms"]:
        timed = {r["impl"]: r["ms"] for r in rows[1:] if r["ms"]}
        for peer, ms in timed.items():
            mine["ratio_vs_" + peer] = ms / mine["ms"]
        mine["ratio_vs_best_peer"] = min(timed.values()) / mine["ms"] if timed else None
    return rows


def print_table(rows, skipped, peer_names):
    """One line per workload. density: fraction of (q, k) pairs kept; vs dense: our time over our
    dense library's at the same shape, to be read against 1.25·density (+ a fixed overhead)."""
    by_workload = {}
    for r in rows:
        if "skipped" in r:
            continue
        by_workload.setdefault(r["workload"], {})[r["impl"]] = r
    head = f"{'workload':<30} {'attnc TF/s':>10} " + " ".join(f"{p + ' TF/s':>16}" for p in peer_names)
    print("\n" + head + f" {'vs best':>8} {'attnc err':>9} {'density':>7} {'vs dense':>8} "
          f"{'1.25·dens':>9}")

    def fmt(value, spec, suffix=""):
        return "-" if value is None else f"{value:{spec}}{suffix}"
    for name, impls in by_workload.items():
        def tf(impl):
            r = impls.get(impl)
            return f"{r['tflops']:.1f}" if r and r.get("tflops") else "-"
        ours = impls.get("attnc", {})
        density = ours.get("density")
        masked = density is not None and density < 1.0
        print(f"{name:<30} {tf('attnc'):>10} " + " ".join(f"{tf(p):>16}" for p in peer_names)
              + f" {fmt(ours.get('ratio_vs_best_peer'), '.2f', 'x'):>8}"
              + f" {fmt(ours.get('max_abs_err'), '.1e'):>9} {fmt(density, '.3f'):>7}"
              + f" {fmt(ours.get('ratio_vs_own_dense'), '.3f'):>8}"
              + f" {fmt(1.25 * density if masked else None, '.3f'):>9}")
    for name, why in skipped:
        print(f"{name:<30} skipped: {why}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", action="append", default=[])
    ap.add_argument("--libs-dir", default=os.path.join(REPO, "build", "examples"))
    ap.add_argument("--peers-dir")
    ap.add_argument("--suite", help="default: workloads.json beside peers.py")
    ap.add_argument("--specs", default=WORKLOAD_SPECS,
                    help="workload name -> spec name (default: bench/workload_specs.json)")
    ap.add_argument("--only", default="", help="comma-separated workload names")
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--no-lse", action="store_true", help="do not write LSE (as inference would)")
    ap.add_argument("--json")
    a = ap.parse_args()

    peers_dir = find_peers_dir(a.peers_dir)
    sys.path.insert(0, peers_dir)
    import peers as peers_mod  # noqa: E402  (imports torch and triton)
    import torch
    import attnc

    suite = json.load(open(a.suite or os.path.join(peers_dir, "workloads.json")))
    specs = load_workload_specs(a.specs)
    paths = list(a.lib) or sorted(glob.glob(os.path.join(a.libs_dir, "lib*.so")))
    libraries = [attnc.load(p) for p in paths]
    peer_names = [p for p in a.peers.split(",") if p]
    only = {x for x in a.only.split(",") if x}
    meta = {"device": torch.cuda.get_device_name(), "commit": commit(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    print(f"# device: {meta['device']}; torch {torch.__version__}; commit {meta['commit']}; "
          f"libraries: {', '.join(describe(l) for l in libraries)}",
          flush=True)

    rows, skipped, dense_cache = [], [], {}
    for w in suite:
        if only and w["name"] not in only:
            continue
        try:
            lib, why = match(w, libraries, specs)
        except MismatchError as e:  # workload_specs.json is wrong: a failure, not a skip
            rows.append({"workload": w["name"], "impl": "attnc", "ms": None, "tflops": None,
                         "max_abs_err": None, "note": f"error: {e}", **meta})
            print(f"{w['name']:<30} error: {e}", flush=True)
            continue
        if lib is None:
            skipped.append((w["name"], why))
            rows.append({"workload": w["name"], "impl": "attnc", "ms": None, "tflops": None,
                         "max_abs_err": None, "skipped": why, **meta})
            print(f"{w['name']:<30} skipped: {why}", flush=True)
            continue
        dense = dense_library(lib, libraries)
        for r in run_workload(w, lib, peers_mod, peer_names, not a.no_lse, meta, dense, dense_cache):
            rows.append(r)
            ms = f"{r['ms']:.3f} ms {r['tflops']:.1f} TF/s err {r['max_abs_err']:.1e}" if r["ms"] else "-"
            vs_dense = (f" density {r['density']:.3f}, {r['ratio_vs_own_dense']:.3f}x "
                        f"{r['dense_library']}'s time" if "ratio_vs_own_dense" in r else "")
            print(f"{w['name']:<30} {r['impl']:<11} {ms}{vs_dense}  {r.get('note', '')}", flush=True)
    print_table(rows, skipped, peer_names)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    # Failing to run our own kernel on a workload we claim to serve is an error.
    sys.exit(1 if any(r["impl"] == "attnc" and not r["ms"] and "skipped" not in r for r in rows) else 0)


if __name__ == "__main__":
    main()
