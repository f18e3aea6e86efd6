"""Reference values for a frozen linear layer with a low-rank adapter, for all five methods:
y = x·Wᵀ + b + s·x·Aᵀ·Tᵀ·Bᵀ with s = alpha / r and T = I, C, C·Cᵀ, C·D or C + D.
Gradients for x, A, B, C, D come from torch autograd; W and b are frozen. B is random (not the zero
init) so that every gradient is non-zero and checked."""

import torch

from common import as_f32, case, generator, randn, write_fixture

METHODS = ["lora", "shim", "icfm", "ctcm", "dtsm"]

# (rows M, in, out, rank, alpha): size 1, odd sizes, a rank equal to min(in, out).
SHAPES = [(1, 1, 1, 1, 1.0), (18, 45, 19, 4, 8.0), (37, 64, 33, 5, 16.0), (7, 13, 130, 13, 13.0)]


def core(method, c, d, r):
    if method == "lora":
        return torch.eye(r, dtype=torch.float64)
    if method == "shim":
        return c
    if method == "icfm":
        return c @ c.T
    if method == "ctcm":
        return c @ d
    return c + d


def method_cases(method, seed):
    g = generator(seed)
    cases = []
    for rows, fan_in, fan_out, r, alpha in SHAPES:
        x = as_f32(randn(g, rows, fan_in)).requires_grad_(True)
        w = as_f32(randn(g, fan_out, fan_in, scale=fan_in ** -0.5))
        b = as_f32(randn(g, fan_out, scale=0.1))
        a = as_f32(randn(g, r, fan_in, scale=fan_in ** -0.5)).requires_grad_(True)
        bb = as_f32(randn(g, fan_out, r, scale=r ** -0.5)).requires_grad_(True)
        c = as_f32(randn(g, r, r, scale=r ** -0.5)).requires_grad_(True)
        d = as_f32(randn(g, r, r, scale=r ** -0.5)).requires_grad_(True)
        dy = as_f32(randn(g, rows, fan_out))

        s = alpha / r
        t = core(method, c, d, r)
        y = x @ w.T + b + s * (x @ a.T @ t.T @ bb.T)

        trainable = {"x": x, "A": a, "B": bb}
        if method in ("shim", "icfm", "ctcm", "dtsm"):
            trainable["C"] = c
        if method in ("ctcm", "dtsm"):
            trainable["D"] = d
        grads = torch.autograd.grad(y, list(trainable.values()), dy)
        outputs = {"y": y}
        outputs.update({f"d{name}": grad for name, grad in zip(trainable, grads)})

        inputs = {"x": x, "W": w, "b": b, "A": a, "B": bb, "dy": dy}
        if "C" in trainable:
            inputs["C"] = c
        if "D" in trainable:
            inputs["D"] = d
        params = {"method": method, "rank": r, "alpha": alpha}
        cases.append(case(f"M{rows} in{fan_in} out{fan_out} r{r}", params, inputs, outputs))
    return cases


def write_all():
    for i, method in enumerate(METHODS):
        write_fixture(f"adapter-{method}", method_cases(method, 100 + i))
