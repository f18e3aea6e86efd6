"""Reference values for the element-wise activations (GELU in BERT's erf form)."""

import torch

from common import as_f32, case, generator, randn, write_fixture


def gelu_cases():
    g = generator(1)
    cases = []
    for shape in [(1,), (7, 13), (3, 5, 129)]:
        # Wide inputs (±6σ) reach both tails, where Φ(x) must keep its precision.
        x = as_f32(randn(g, *shape, scale=3.0)).requires_grad_(True)
        dy = as_f32(randn(g, *shape))
        y = torch.nn.functional.gelu(x, approximate="none")
        (dx,) = torch.autograd.grad(y, x, dy)
        cases.append(case("x".join(map(str, shape)), {}, {"x": x, "dy": dy}, {"y": y, "dx": dx}))
    return cases


def write_all():
    write_fixture("gelu", gelu_cases())
