"""Helpers shared by the reference scripts: seeded inputs and the JSON fixture format.

A fixture file is {"kernel", "torch", "cases": [{"label", "params", "inputs", "outputs"}]}, where each
tensor is {"shape": [...], "data": [flat row-major values]}. Only Debian's python3-torch is needed.
"""

import json
import os

import torch

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "kernels")


def generator(seed):
    """Returns a CPU torch.Generator seeded with `seed`, so every fixture is reproducible."""
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def randn(g, *shape, scale=1.0):
    return torch.randn(*shape, generator=g, dtype=torch.float64) * scale


def tensor(t):
    """Serializes a tensor as float32 values (or ints for integer tensors)."""
    t = t.detach()
    if t.dtype in (torch.int32, torch.int64):
        data = [int(v) for v in t.flatten().tolist()]
    else:
        data = [float(v) for v in t.to(torch.float32).flatten().tolist()]
    return {"shape": list(t.shape), "data": data}


def as_f32(t):
    """Rounds a float64 tensor to float32 values, so that inputs are exactly what the GPU receives."""
    return t.to(torch.float32).to(torch.float64)


def case(label, params, inputs, outputs):
    return {
        "label": label,
        "params": params,
        "inputs": {name: tensor(t) for name, t in inputs.items()},
        "outputs": {name: tensor(t) for name, t in outputs.items()},
    }


def write_fixture(name, cases):
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    path = os.path.join(FIXTURE_DIR, f"{name}.json")
    with open(path, "w") as f:
        json.dump({"kernel": name, "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {path} ({len(cases)} cases)")
