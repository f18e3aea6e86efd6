"""Reference values for matrix multiply (every transpose combination, alpha, beta) and the linear layer."""

import torch

from common import as_f32, case, generator, randn, write_fixture

# (M, N, K): size 1 in each role, odd sizes, sizes just past a multiple of 4 and of 32, and K > M, N.
MATMUL_SHAPES = [(1, 1, 1), (1, 7, 3), (37, 45, 19), (64, 64, 64), (65, 129, 33), (130, 17, 260)]

# (alpha, beta); beta = 1 reads a given C, beta = 0 must leave the NaN-filled output unread.
SCALINGS = [(1.0, 0.0), (0.75, 1.0), (-1.5, 0.0), (1.0, 1.0)]

# (rows M, in, out) of x [M, in] and W [out, in].
LINEAR_SHAPES = [(1, 1, 1), (5, 7, 3), (37, 19, 45), (130, 33, 65)]


def matmul_cases():
    g = generator(2)
    cases = []
    for shape_index, (m, n, k) in enumerate(MATMUL_SHAPES):
        for combo, (transpose_a, transpose_b) in enumerate([(False, False), (False, True), (True, False), (True, True)]):
            alpha, beta = SCALINGS[(shape_index + combo) % len(SCALINGS)]
            a = as_f32(randn(g, *((k, m) if transpose_a else (m, k))))
            b = as_f32(randn(g, *((n, k) if transpose_b else (k, n))))
            op_a = a.T if transpose_a else a
            op_b = b.T if transpose_b else b
            inputs = {"a": a, "b": b}
            c = alpha * (op_a @ op_b)
            if beta != 0.0:
                c0 = as_f32(randn(g, m, n))
                inputs["c"] = c0
                c = c + beta * c0
            label = f"{m}x{n}x{k} {'T' if transpose_a else 'N'}{'T' if transpose_b else 'N'} alpha={alpha} beta={beta}"
            params = {"transposeA": transpose_a, "transposeB": transpose_b, "alpha": alpha, "beta": beta}
            cases.append(case(label, params, inputs, {"c": c}))
    return cases


def linear_backward_cases():
    g = generator(3)
    cases = []
    for index, (rows, fan_in, fan_out) in enumerate(LINEAR_SHAPES):
        # Every other case accumulates onto gradients already present (dW0, db0), as over micro-batches.
        accumulate = index % 2 == 1
        x = as_f32(randn(g, rows, fan_in)).requires_grad_(True)
        weight = as_f32(randn(g, fan_out, fan_in, scale=fan_in**-0.5)).requires_grad_(True)
        bias = as_f32(randn(g, fan_out)).requires_grad_(True)
        dy = as_f32(randn(g, rows, fan_out))
        y = torch.nn.functional.linear(x, weight, bias)
        dx, dw, db = torch.autograd.grad(y, (x, weight, bias), dy)
        inputs = {"x": x, "weight": weight, "bias": bias, "dy": dy}
        if accumulate:
            dw0 = as_f32(randn(g, fan_out, fan_in))
            db0 = as_f32(randn(g, fan_out))
            inputs.update({"dW0": dw0, "db0": db0})
            dw = dw + dw0
            db = db + db0
        label = f"x[{rows}, {fan_in}] W[{fan_out}, {fan_in}]{' accumulate' if accumulate else ''}"
        cases.append(case(label, {"accumulate": accumulate}, inputs, {"y": y, "dx": dx, "dW": dw, "db": db}))
    return cases


def write_all():
    write_fixture("matmul", matmul_cases())
    write_fixture("linear-backward", linear_backward_cases())
