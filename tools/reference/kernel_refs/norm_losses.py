"""Reference values for LayerNorm, tanh, dropout, embedding, cross-entropy and MSE."""

import torch

from common import as_f32, case, generator, randn, write_fixture

IGNORE_INDEX = -100
MASK32 = 0xFFFFFFFF


def layernorm_cases():
    g = generator(2)
    cases = []
    # (rows, hidden, eps, accumulate): hidden 3 and 13 are below one workgroup, 130 is not a multiple of the
    # 32-column tile of the dgamma/dbeta kernel, and the accumulate case adds into nonzero gradients.
    for rows, hidden, eps, accumulate in [(1, 130, 1e-12, False), (7, 13, 1e-12, False), (37, 128, 1e-5, False), (4, 3, 1e-12, True)]:
        # An offset of 4 and a spread of 0.5 test that the variance keeps its precision away from zero mean.
        x = as_f32(4.0 + randn(g, rows, hidden, scale=0.5)).requires_grad_(True)
        gamma = as_f32(1.0 + randn(g, hidden, scale=0.2)).requires_grad_(True)
        beta = as_f32(randn(g, hidden, scale=0.2)).requires_grad_(True)
        dy = as_f32(randn(g, rows, hidden))
        y = torch.nn.functional.layer_norm(x, (hidden,), gamma, beta, eps)
        dx, dgamma, dbeta = torch.autograd.grad(y, (x, gamma, beta), dy)

        mean = x.detach().mean(dim=-1)
        variance = x.detach().var(dim=-1, unbiased=False)
        rstd = 1.0 / torch.sqrt(variance + eps)

        inputs = {"x": x, "gamma": gamma, "beta": beta, "dy": dy}
        if accumulate:
            gamma_grad_in = as_f32(randn(g, hidden))
            beta_grad_in = as_f32(randn(g, hidden))
            inputs.update({"gammaGradIn": gamma_grad_in, "betaGradIn": beta_grad_in})
            dgamma = dgamma + gamma_grad_in
            dbeta = dbeta + beta_grad_in
        outputs = {"y": y, "mean": mean, "rstd": rstd, "dx": dx, "dgamma": dgamma, "dbeta": dbeta}
        params = {"eps": eps, "accumulate": accumulate}
        cases.append(case(f"{rows}x{hidden}" + (" accumulate" if accumulate else ""), params, inputs, outputs))
    return cases


def tanh_cases():
    g = generator(3)
    cases = []
    for shape in [(1,), (7, 13), (37, 130)]:
        x = randn(g, *shape, scale=2.0).flatten()
        # Large magnitudes (where a sinh/cosh form overflows) and tiny ones (where 1 − exp(−2|x|) cancels).
        special = torch.tensor([100.0, -100.0, 20.0, -9.5, 1e-5, -3e-3, 0.2, -0.26, 0.0], dtype=torch.float64)
        count = min(len(special), x.numel())
        x[:count] = special[:count]
        x = as_f32(x.reshape(shape)).requires_grad_(True)
        dy = as_f32(randn(g, *shape))
        y = torch.tanh(x)
        (dx,) = torch.autograd.grad(y, x, dy)
        cases.append(case("x".join(map(str, shape)), {}, {"x": x, "dy": dy}, {"y": y, "dx": dx}))
    return cases


def pcg_hash(value):
    """The PCG hash of shaders/dropout.wgsl (Jarzynski and Olano, JCGT 2020) on Python ints wrapped to 32 bits."""
    state = (value * 747796405 + 2891336453) & MASK32
    word = (((state >> ((state >> 28) + 4)) ^ state) * 277803737) & MASK32
    return (word >> 22) ^ word


def dropout_mask(count, p, seed):
    """Keep mask of shaders/dropout.wgsl: element i is kept when pcg_hash(pcg_hash(i ^ pcg_hash(seed)) + seed) >= floor(p · 2³²)."""
    threshold = int(p * 2**32)
    key = pcg_hash(seed)
    kept = [pcg_hash((pcg_hash(i ^ key) + seed) & MASK32) >= threshold for i in range(count)]
    return torch.tensor(kept, dtype=torch.float64)


def dropout_cases():
    g = generator(4)
    cases = []
    for shape, p, seed in [((5,), 0.0, 1), ((1,), 0.5, 3), ((7, 13), 0.1, 1234), ((37, 130), 0.5, 7), ((3, 41), 0.9, 0xFFFFFFFF)]:
        x = as_f32(randn(g, *shape)).requires_grad_(True)
        dy = as_f32(randn(g, *shape))
        mask = dropout_mask(x.numel(), p, seed).reshape(shape)
        y = x * mask / (1.0 - p)
        (dx,) = torch.autograd.grad(y, x, dy)
        label = "x".join(map(str, shape)) + f" p={p} seed={seed}"
        cases.append(case(label, {"p": p, "seed": seed}, {"x": x, "dy": dy}, {"y": y, "dx": dx}))
    return cases


def embedding_cases():
    g = generator(5)
    cases = []
    # (ids shape, vocab, hidden): vocab 1 makes every id repeat, and the two-dimensional ids are [batch, tokens].
    for ids_shape, vocab, hidden in [((1,), 1, 3), ((37,), 11, 13), ((2, 7), 50, 130)]:
        ids = torch.randint(0, vocab, ids_shape, generator=g, dtype=torch.int64)
        if ids.numel() > 3:
            ids.view(-1)[1] = ids.view(-1)[0]  # at least one repeated id in every multi-token case
        table = as_f32(randn(g, vocab, hidden)).requires_grad_(True)
        d_out = as_f32(randn(g, *ids_shape, hidden))
        table_grad_in = as_f32(randn(g, vocab, hidden))
        out = torch.nn.functional.embedding(ids, table)
        (d_table,) = torch.autograd.grad(out, table, d_out)
        label = "x".join(map(str, ids_shape)) + f" vocab={vocab} hidden={hidden}"
        inputs = {"ids": ids.to(torch.int32), "table": table, "dOut": d_out, "tableGradIn": table_grad_in}
        cases.append(case(label, {}, inputs, {"out": out, "dTable": table_grad_in + d_table}))
    return cases


def cross_entropy_cases():
    g = generator(6)
    cases = []
    # (rows, classes, ignored rows, loss_grad)
    for rows, classes, ignored, loss_grad in [(1, 3, [], 1.0), (7, 13, [2, 5], 1.0), (37, 130, [0, 9, 10, 36], 0.7)]:
        logits = randn(g, rows, classes, scale=2.0)
        labels = torch.randint(0, classes, (rows,), generator=g, dtype=torch.int64)
        labels[ignored] = IGNORE_INDEX
        if rows > 1:
            # One row of ±50 logits: exp overflows in f32 unless the row maximum is subtracted first.
            logits[1] = 50.0 * torch.sign(randn(g, classes))
        logits = as_f32(logits).requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(logits, labels, ignore_index=IGNORE_INDEX, reduction="mean")
        (dlogits,) = torch.autograd.grad(loss, logits, torch.tensor(loss_grad, dtype=torch.float64))
        log_sum_exp = torch.logsumexp(logits.detach(), dim=-1)
        label = f"{rows}x{classes} ignored={len(ignored)}"
        inputs = {"logits": logits, "labels": labels.to(torch.int32)}
        outputs = {"loss": loss.reshape(1), "logSumExp": log_sum_exp, "dlogits": dlogits}
        cases.append(case(label, {"lossGrad": loss_grad}, inputs, outputs))
    return cases


def mse_cases():
    g = generator(7)
    cases = []
    for shape, loss_grad in [((1,), 1.0), ((7,), 1.0), ((37, 1), 0.3), ((300,), 1.0)]:
        pred = as_f32(randn(g, *shape)).requires_grad_(True)
        target = as_f32(randn(g, *shape))
        loss = torch.nn.functional.mse_loss(pred, target, reduction="mean")
        (dpred,) = torch.autograd.grad(loss, pred, torch.tensor(loss_grad, dtype=torch.float64))
        label = "x".join(map(str, shape))
        cases.append(case(label, {"lossGrad": loss_grad}, {"pred": pred, "target": target}, {"loss": loss.reshape(1), "dpred": dpred}))
    return cases


def write_all():
    write_fixture("layernorm", layernorm_cases())
    write_fixture("tanh", tanh_cases())
    write_fixture("dropout", dropout_cases())
    write_fixture("embedding", embedding_cases())
    write_fixture("cross-entropy", cross_entropy_cases())
    write_fixture("mse", mse_cases())
