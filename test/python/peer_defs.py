"""peers.py's own definitions of the workloads' masks and score modifications, for CPU tests.

Importing shared/bench/peers.py needs triton and torch.nn.attention, which a CPU test machine may
lack; mask_mod_for and score_mod_for need only torch and math. peer_functions() compiles those
top-level functions from peers.py's source alone, so that the tests compare against the very code
the benchmark's peers run, not a copy of it.
"""
import ast
import json
import math
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_BENCH = os.path.join(REPO, "..", "shared", "bench")
PEERS = os.path.join(SHARED_BENCH, "peers.py")
WORKLOADS = os.path.join(SHARED_BENCH, "workloads.json")


def available():
    return os.path.isfile(PEERS) and os.path.isfile(WORKLOADS)


def peer_functions(*names):
    """The top-level functions `names` of peers.py, in order, defined in a namespace that holds
    torch and math only."""
    import torch
    with open(PEERS) as f:
        tree = ast.parse(f.read(), PEERS)
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
    missing = set(names) - {node.name for node in defs}
    if missing:
        raise LookupError(f"peers.py has no function {', '.join(sorted(missing))}")
    namespace = {"torch": torch, "math": math}
    exec(compile(ast.Module(body=defs, type_ignores=[]), PEERS, "exec"), namespace)
    return [namespace[name] for name in names]


def workloads():
    """workloads.json beside peers.py: {name: workload}."""
    with open(WORKLOADS) as f:
        return {w["name"]: w for w in json.load(f)}
