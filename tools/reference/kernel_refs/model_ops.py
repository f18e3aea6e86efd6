"""Reference values for the small ops the BERT model adds: the in-place sum (residual connections) and the
strided row gather with its scatter-add backward (the [CLS] row of each sequence for the pooler)."""

import torch

from common import as_f32, case, generator, randn, write_fixture


def add_cases():
    g = generator(300)
    cases = []
    for shape in [(1,), (7, 13), (3, 11, 37)]:
        x = as_f32(randn(g, *shape))
        y = as_f32(randn(g, *shape))
        cases.append(case("x".join(map(str, shape)), {}, {"x": x, "y": y}, {"sum": y + x}))
    return cases


def rows_cases():
    """gather: out = x[offset::stride][:count]. scatter: dx0 + the gradient of that gather for dy."""
    g = generator(301)
    cases = []
    # (rows, cols, stride, offset): one row, the [CLS] layout of batch 3 × tokens 11, a stride that does not
    # divide the row count, and stride 1 (every row).
    for rows, cols, stride, offset in [(1, 1, 1, 0), (33, 37, 11, 0), (20, 5, 7, 3), (6, 9, 1, 0)]:
        x = as_f32(randn(g, rows, cols)).requires_grad_(True)
        out = x[offset::stride]
        dy = as_f32(randn(g, *out.shape))
        dx0 = as_f32(randn(g, rows, cols))
        (dx,) = torch.autograd.grad(out, x, dy)
        params = {"stride": stride, "offset": offset}
        label = f"{rows}x{cols} stride {stride} offset {offset}"
        cases.append(case(label, params, {"x": x, "dy": dy, "dx0": dx0}, {"gathered": out, "dx": dx0 + dx}))
    return cases


def write_all():
    write_fixture("add", add_cases())
    write_fixture("rows", rows_cases())
