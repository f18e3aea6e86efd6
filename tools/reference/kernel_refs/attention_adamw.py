"""Reference values for multi-head attention with a key padding mask, and for AdamW with global-norm
gradient clipping (torch.optim.AdamW and torch.nn.utils.clip_grad_norm_)."""

import math

import torch

from common import as_f32, case, generator, randn, write_fixture

# Hugging Face transformers (get_extended_attention_mask in modeling_utils.py) adds (1 - mask) * torch.finfo(dtype).min
# to the scores of padded keys, so a row whose keys are all padded stays finite and softmax spreads it uniformly.
MASKED_SCORE_BIAS = torch.finfo(torch.float32).min


def attention_reference(q, k, v, mask, heads):
    """Run BERT's self-attention after the Q/K/V projections, as Hugging Face's eager BertSelfAttention does.

    q, k and v are [batch, tokens, heads·headDim], and mask is [batch, tokens] with 1 for a real token and 0 for padding.
    Returns context [batch, tokens, heads·headDim] and probs [batch, heads, tokens, tokens].
    """
    batch, tokens, hidden = q.shape
    head_dim = hidden // heads

    def split_heads(x):
        return x.view(batch, tokens, heads, head_dim).transpose(1, 2)

    scores = split_heads(q) @ split_heads(k).transpose(-1, -2) / math.sqrt(head_dim)
    scores = scores + (1.0 - mask.to(scores.dtype))[:, None, None, :] * MASKED_SCORE_BIAS
    probs = torch.softmax(scores, dim=-1)
    context = (probs @ split_heads(v)).transpose(1, 2).reshape(batch, tokens, hidden)
    return context, probs


def attention_cases():
    g = generator(2)
    # (label, batch, tokens, heads, headDim, padded positions per sequence)
    settings = [
        ("b1 t1 h1 d3", 1, 1, 1, 3, [[]]),
        ("b2 t7 h2 d5", 2, 7, 2, 5, [[], [5, 6]]),
        # Sequence 1 has padding inside and at the end, and every key of sequence 2 is padded.
        ("b3 t13 h4 d16 padded", 3, 13, 4, 16, [[], [4, 9, 10, 11, 12], list(range(13))]),
        # 67 keys are more than one softmax workgroup (64 invocations) covers in one pass.
        ("b1 t67 h2 d8 padded", 1, 67, 2, 8, [list(range(50, 67))]),
    ]
    cases = []
    for label, batch, tokens, heads, head_dim, padded in settings:
        hidden = heads * head_dim
        q = as_f32(randn(g, batch, tokens, hidden)).requires_grad_(True)
        k = as_f32(randn(g, batch, tokens, hidden)).requires_grad_(True)
        v = as_f32(randn(g, batch, tokens, hidden)).requires_grad_(True)
        dcontext = as_f32(randn(g, batch, tokens, hidden))
        mask = torch.ones(batch, tokens, dtype=torch.int32)
        for sequence, positions in enumerate(padded):
            mask[sequence, positions] = 0

        context, probs = attention_reference(q, k, v, mask, heads)
        dq, dk, dv = torch.autograd.grad(context, (q, k, v), dcontext)
        cases.append(
            case(
                label,
                {"heads": heads},
                {"q": q, "k": k, "v": v, "mask": mask, "dcontext": dcontext},
                {"context": context, "probs": probs, "dq": dq, "dk": dk, "dv": dv},
            )
        )
    return cases


def adamw_case(label, g, shapes, lrs, grad_scales, betas, eps, weight_decay, max_norm):
    """Run len(lrs) steps of torch.optim.AdamW on float64 copies of f32 inputs, clipping first if max_norm is set.

    Step s uses learning rate lrs[s] and gradients drawn at scale grad_scales[s]. Outputs the parameters after
    each step, the update of each step and the total gradient norm before clipping, each concatenated over steps.
    """
    steps = len(lrs)
    params = [as_f32(randn(g, *shape)).requires_grad_(True) for shape in shapes]
    grads = [as_f32(randn(g, steps, *shape, scale=1.0)) for shape in shapes]
    for grad in grads:
        for step in range(steps):
            grad[step] = as_f32(grad[step] * grad_scales[step])
    lr_values = as_f32(torch.tensor(lrs, dtype=torch.float64))

    inputs = {f"param{i}": p.detach().clone() for i, p in enumerate(params)}
    inputs.update({f"grad{i}": grad for i, grad in enumerate(grads)})
    inputs["lr"] = lr_values

    optimizer = torch.optim.AdamW(params, lr=float(lr_values[0]), betas=betas, eps=eps, weight_decay=weight_decay)
    after, updates, norms = [], [], []
    for step in range(steps):
        for p, grad in zip(params, grads):
            p.grad = grad[step].clone()
        if max_norm is None:
            total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
        else:
            total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        norms.append(float(total))

        before = torch.cat([p.detach().flatten() for p in params])
        optimizer.param_groups[0]["lr"] = float(lr_values[step])
        optimizer.step()
        current = torch.cat([p.detach().flatten() for p in params])
        after.append(current)
        updates.append(current - before)

    if max_norm is not None:
        # The fixture is only useful if some steps clip and others do not.
        clipped = [norm > max_norm for norm in norms]
        assert any(clipped), f"{label}: no step clips, total norms {norms} vs max_norm {max_norm}"
        assert not all(clipped), f"{label}: every step clips, total norms {norms} vs max_norm {max_norm}"

    params_out = {"beta1": betas[0], "beta2": betas[1], "eps": eps, "weight_decay": weight_decay}
    if max_norm is not None:
        params_out["max_norm"] = max_norm
    outputs = {
        "params": torch.cat(after),
        "updates": torch.cat(updates),
        "total_norm": torch.tensor(norms, dtype=torch.float64),
    }
    return case(label, params_out, inputs, outputs)


def adamw_cases():
    g = generator(3)
    shapes = [(1,), (7, 3), (37,)]
    return [
        # Total norms are about 6.7, 0.67 and 13, so max_norm 1 clips steps 1 and 3 but not step 2.
        adamw_case(
            "clipped, default betas",
            g,
            shapes,
            lrs=[0.1, 0.05, 0.02],
            grad_scales=[1.0, 0.1, 2.0],
            betas=(0.9, 0.999),
            eps=1e-8,
            weight_decay=0.01,
            max_norm=1.0,
        ),
        adamw_case(
            "unclipped, other betas",
            g,
            shapes,
            lrs=[0.03, 0.03, 0.03],
            grad_scales=[1.0, 0.01, 3.0],
            betas=(0.8, 0.95),
            eps=1e-6,
            weight_decay=0.1,
            max_norm=None,
        ),
    ]


def write_all():
    write_fixture("attention", attention_cases())
    write_fixture("adamw", adamw_cases())
