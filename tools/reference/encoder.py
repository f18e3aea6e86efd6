#!/usr/bin/python3
"""Writes the BERT encoder fixtures under tools/reference/fixtures/encoder/ for `npm run check:encoder`.

The model is plain PyTorch with Hugging Face transformers' parameter names and semantics (BertModel,
BertForSequenceClassification and BertForMaskedLM, eager attention). That means erf GELU, LayerNorm with the
config's eps, and (1 - mask) * finfo(float32).min added to the scores of padded keys. The pooler applies
dense + tanh to token 0, the word-embedding row of pad_token_id gets no gradient, and the MLM decoder is tied
to the word embeddings.
Weights are random, rounded to float32 and stored as float32; every reference runs in float64 autograd in eval
mode (dropout off).

Files:
  config.json           Hugging Face config of the small random model.
  model.safetensors     its weights in BertForMaskedLM layout ("bert." prefix, cls.predictions.*; the decoder
                        weight is tied to the word embeddings and not stored, as save_pretrained does).
  inputs.json           the batch, labels, head seed and the expected forward outputs.
  adapter-<method>.json adapter values and the expected loss and gradients, one file per method.
  full-finetune.json    the expected loss and gradients of every base weight and the head.

Run with Debian's interpreter: /usr/bin/python3 tools/reference/encoder.py
"""

import json
import math
import os
import struct

import torch
import torch.nn.functional as F

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "encoder")

# A small config with odd sizes: head size 12, intermediate 53 and vocab 97 are not multiples of any tile size.
# layer_norm_eps is 1e-3 rather than BERT's 1e-12 so that a model which ignores the config's eps fails the check
# (with unit-variance rows, eps changes the output by about eps / 2 relative).
CONFIG = {
    "architectures": ["BertForMaskedLM"],
    "model_type": "bert",
    "vocab_size": 97,
    "hidden_size": 36,
    "num_hidden_layers": 2,
    "num_attention_heads": 3,
    "intermediate_size": 53,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 40,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-3,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "classifier_dropout": None,
}

BATCH = 3
TOKENS = 11
# Real tokens per sequence; the rest of each row is padding with attention mask 0.
LENGTHS = [11, 7, 4]
NUM_LABELS = 3
CLASS_LABELS = [2, 0, 1]
REGRESSION_TARGETS = [0.7, -1.3, 0.25]

# Seed of the TypeScript model; the classification head is drawn from it (see mulberry32 below).
MODEL_SEED = 20240

METHODS = ["lora", "shim", "icfm", "ctcm", "dtsm"]
ADAPTER_RANK = 3
ADAPTER_ALPHA = 6.0
ADAPTER_MODULES = ["query", "value", "attention.output", "intermediate", "output"]

# Module path (without the "encoder.layer.{i}." prefix) of each adapter target name.
MODULE_PATHS = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attention.output": "attention.output.dense",
    "intermediate": "intermediate.dense",
    "output": "output.dense",
}

MASKED_SCORE_BIAS = torch.finfo(torch.float32).min


# ---- Seeded head, mirroring src/util/random.ts and src/model/heads.ts ------------------------------------


def imul(a, b):
    """Multiply as JavaScript's Math.imul does, keeping the low 32 bits as an unsigned number."""
    return (a * b) & 0xFFFFFFFF


def derive_seed(seed, stream):
    """Derive a seed as deriveSeed() of src/util/random.ts: FNV-1a over the stream name from the seed, then an avalanche."""
    value = (0x811C9DC5 ^ seed) & 0xFFFFFFFF
    for char in stream:
        value ^= ord(char)
        value = imul(value, 0x01000193)
    value ^= value >> 16
    value = imul(value, 0x85EBCA6B)
    value ^= value >> 13
    return value


def mulberry32(seed):
    """Yield uniform numbers in [0, 1) from the Mulberry32 stream of createRandom() in src/util/random.ts."""
    state = seed & 0xFFFFFFFF
    while True:
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        z = state
        z = imul(z ^ (z >> 15), z | 1)
        z ^= (z + imul(z ^ (z >> 7), z | 61)) & 0xFFFFFFFF
        yield ((z ^ (z >> 14)) & 0xFFFFFFFF) / 4294967296


def normal_values(seed, count, std):
    """Draw N(0, std²) values as normalValues() of src/model/init.ts: Box-Muller, two uniforms per value, cosine only."""
    uniforms = mulberry32(seed)
    values = []
    for _ in range(count):
        u1 = 1.0 - next(uniforms)
        u2 = next(uniforms)
        values.append(std * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))
    return torch.tensor(values, dtype=torch.float32).to(torch.float64)


def seeded_head(num_labels):
    """Return the task head that BertModel.create draws from MODEL_SEED: weight N(0, initializer_range²), bias 0."""
    hidden = CONFIG["hidden_size"]
    weight = normal_values(derive_seed(MODEL_SEED, "classifier"), num_labels * hidden, CONFIG["initializer_range"])
    return {"classifier.weight": weight.reshape(num_labels, hidden), "classifier.bias": torch.zeros(num_labels, dtype=torch.float64)}


# ---- Random weights --------------------------------------------------------------------------------------


def as_f32(t):
    """Round to float32 values kept in float64, so the reference computes with exactly what the GPU receives."""
    return t.to(torch.float32).to(torch.float64)


def random_weights(g):
    """Return {name without "bert." prefix: float64 tensor} for the encoder, pooler and MLM head."""
    c = CONFIG
    hidden, inter = c["hidden_size"], c["intermediate_size"]

    def normal(*shape, scale):
        return as_f32(torch.randn(*shape, generator=g, dtype=torch.float64) * scale)

    def dense(name, out_features, in_features):
        weights[f"{name}.weight"] = normal(out_features, in_features, scale=in_features**-0.5)
        weights[f"{name}.bias"] = normal(out_features, scale=0.1)

    def layer_norm(name):
        weights[f"{name}.weight"] = as_f32(1.0 + torch.randn(hidden, generator=g, dtype=torch.float64) * 0.1)
        weights[f"{name}.bias"] = normal(hidden, scale=0.1)

    weights = {}
    weights["embeddings.word_embeddings.weight"] = normal(c["vocab_size"], hidden, scale=0.5)
    weights["embeddings.position_embeddings.weight"] = normal(c["max_position_embeddings"], hidden, scale=0.5)
    weights["embeddings.token_type_embeddings.weight"] = normal(c["type_vocab_size"], hidden, scale=0.5)
    layer_norm("embeddings.LayerNorm")
    for i in range(c["num_hidden_layers"]):
        prefix = f"encoder.layer.{i}"
        for projection in ("query", "key", "value"):
            dense(f"{prefix}.attention.self.{projection}", hidden, hidden)
        dense(f"{prefix}.attention.output.dense", hidden, hidden)
        layer_norm(f"{prefix}.attention.output.LayerNorm")
        dense(f"{prefix}.intermediate.dense", inter, hidden)
        dense(f"{prefix}.output.dense", hidden, inter)
        layer_norm(f"{prefix}.output.LayerNorm")
    dense("pooler.dense", hidden, hidden)
    dense("cls.predictions.transform.dense", hidden, hidden)
    layer_norm("cls.predictions.transform.LayerNorm")
    weights["cls.predictions.bias"] = normal(c["vocab_size"], scale=0.1)
    return weights


def random_adapters(g, method):
    """Return {module path: {"A", "B", "C"?, "D"?}} with non-zero B, so that every gradient is non-zero."""
    c = CONFIG
    r = ADAPTER_RANK
    adapters = {}
    for i in range(c["num_hidden_layers"]):
        for target in ADAPTER_MODULES:
            path = f"encoder.layer.{i}.{MODULE_PATHS[target]}"
            in_features = c["intermediate_size"] if target == "output" else c["hidden_size"]
            out_features = c["intermediate_size"] if target == "intermediate" else c["hidden_size"]
            values = {
                "A": as_f32(torch.randn(r, in_features, generator=g, dtype=torch.float64) * in_features**-0.5),
                "B": as_f32(torch.randn(out_features, r, generator=g, dtype=torch.float64) * 0.5 * r**-0.5),
            }
            if method != "lora":
                values["C"] = as_f32(torch.randn(r, r, generator=g, dtype=torch.float64) * r**-0.5)
            if method in ("ctcm", "dtsm"):
                values["D"] = as_f32(torch.randn(r, r, generator=g, dtype=torch.float64) * r**-0.5)
            adapters[path] = values
    return adapters


# ---- The model -------------------------------------------------------------------------------------------


def core(method, values):
    """Return the r×r core T of ΔW = s·B·T·A."""
    if method == "lora":
        return torch.eye(ADAPTER_RANK, dtype=torch.float64)
    c = values["C"]
    if method == "shim":
        return c
    if method == "icfm":
        return c @ c.T
    if method == "ctcm":
        return c @ values["D"]
    return c + values["D"]


def linear(w, name, x, adapters, method):
    """Apply nn.Linear with Hugging Face's [out, in] weight, plus s·x·Aᵀ·Tᵀ·Bᵀ when `name` has an adapter."""
    y = x @ w[f"{name}.weight"].T + w[f"{name}.bias"]
    if name in adapters:
        values = adapters[name]
        s = ADAPTER_ALPHA / ADAPTER_RANK
        y = y + s * (x @ values["A"].T @ core(method, values).T @ values["B"].T)
    return y


def layer_norm(w, name, x):
    return F.layer_norm(x, (x.shape[-1],), w[f"{name}.weight"], w[f"{name}.bias"], CONFIG["layer_norm_eps"])


def encoder(w, input_ids, token_type_ids, attention_mask, adapters=None, method="lora"):
    """Run BertModel in eval mode; return (last_hidden_state [batch, tokens, hidden], pooled_output [batch, hidden])."""
    adapters = adapters or {}
    c = CONFIG
    batch, tokens = input_ids.shape
    heads = c["num_attention_heads"]
    head_dim = c["hidden_size"] // heads

    # nn.Embedding(padding_idx=pad_token_id) passes no gradient to the padding row, and F.embedding does the same.
    positions = torch.arange(tokens)
    embedded = (
        F.embedding(input_ids, w["embeddings.word_embeddings.weight"], padding_idx=c["pad_token_id"])
        + F.embedding(positions, w["embeddings.position_embeddings.weight"])[None]
        + F.embedding(token_type_ids, w["embeddings.token_type_embeddings.weight"])
    )
    hidden = layer_norm(w, "embeddings.LayerNorm", embedded)

    additive_mask = (1.0 - attention_mask.to(torch.float64))[:, None, None, :] * MASKED_SCORE_BIAS

    def split_heads(x):
        return x.view(batch, tokens, heads, head_dim).transpose(1, 2)

    for i in range(c["num_hidden_layers"]):
        prefix = f"encoder.layer.{i}"
        q = split_heads(linear(w, f"{prefix}.attention.self.query", hidden, adapters, method))
        k = split_heads(linear(w, f"{prefix}.attention.self.key", hidden, adapters, method))
        v = split_heads(linear(w, f"{prefix}.attention.self.value", hidden, adapters, method))
        scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim) + additive_mask
        context = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, tokens, -1)
        attention_out = linear(w, f"{prefix}.attention.output.dense", context, adapters, method)
        attention_out = layer_norm(w, f"{prefix}.attention.output.LayerNorm", attention_out + hidden)
        intermediate = F.gelu(linear(w, f"{prefix}.intermediate.dense", attention_out, adapters, method))
        out = linear(w, f"{prefix}.output.dense", intermediate, adapters, method)
        hidden = layer_norm(w, f"{prefix}.output.LayerNorm", out + attention_out)

    pooled = torch.tanh(linear(w, "pooler.dense", hidden[:, 0], {}, method))
    return hidden, pooled


def classification(w, head, pooled, labels):
    logits = pooled @ head["classifier.weight"].T + head["classifier.bias"]
    return logits, F.cross_entropy(logits, labels)


def regression(w, head, pooled, targets):
    prediction = pooled @ head["classifier.weight"].T + head["classifier.bias"]
    return prediction, F.mse_loss(prediction.squeeze(-1), targets)


def mlm_logits(w, hidden):
    """Apply BertForMaskedLM's head: transform dense → GELU → LayerNorm, then the decoder tied to the word embeddings."""
    x = F.gelu(linear(w, "cls.predictions.transform.dense", hidden, {}, "lora"))
    x = layer_norm(w, "cls.predictions.transform.LayerNorm", x)
    return x @ w["embeddings.word_embeddings.weight"].T + w["cls.predictions.bias"]


# ---- Inputs ----------------------------------------------------------------------------------------------


def make_inputs(g):
    vocab = CONFIG["vocab_size"]
    input_ids = torch.zeros(BATCH, TOKENS, dtype=torch.long)
    token_type_ids = torch.zeros(BATCH, TOKENS, dtype=torch.long)
    attention_mask = torch.zeros(BATCH, TOKENS, dtype=torch.long)
    for row, length in enumerate(LENGTHS):
        # Real tokens get ids from 1 to 29 (id 0 is padding). The range is small so that ids repeat, and the
        # embedding gradient must add the rows that share an id.
        input_ids[row, :length] = torch.randint(1, 30, (length,), generator=g)
        attention_mask[row, :length] = 1
        # A sentence pair: the second half of the real tokens is segment 1.
        token_type_ids[row, length // 2 : length] = 1
    input_ids[0, 0] = input_ids[1, 0] = input_ids[2, 0] = 2  # a shared [CLS]-like id
    # The pad id at a real (unmasked) position: padded positions pass no gradient to the embeddings anyway, so only
    # here does the rule that the pad_token_id row gets no gradient (nn.Embedding padding_idx) show in the check.
    input_ids[0, 5] = CONFIG["pad_token_id"]
    assert int(input_ids.max()) < vocab
    return input_ids, token_type_ids, attention_mask


# ---- Writing ---------------------------------------------------------------------------------------------


def tensor_json(t):
    """Serialize as {"shape", "data"}, with float32 values printed to 9 significant digits (exact for float32) or ints."""
    t = t.detach()
    if t.dtype in (torch.int32, torch.int64):
        data = [int(v) for v in t.flatten().tolist()]
    else:
        data = [float(f"{v:.9g}") for v in t.to(torch.float32).flatten().tolist()]
    return {"shape": list(t.shape), "data": data}


def write_json(name, payload):
    path = os.path.join(FIXTURE_DIR, name)
    with open(path, "w") as handle:
        json.dump({"torch": torch.__version__, **payload}, handle, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def write_safetensors(path, tensors):
    """Write F32 tensors per the safetensors format: an 8-byte little-endian header length, a JSON header
    of {name: {dtype, shape, data_offsets}} padded with spaces to a multiple of 8 bytes, then the raw data."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        values = tensors[name].detach().to(torch.float32).contiguous()
        data = struct.pack(f"<{values.numel()}f", *values.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(values.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(header_bytes)))
        handle.write(header_bytes)
        for data in chunks:
            handle.write(data)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def hf_name(name):
    return name if name.startswith("cls.") else f"bert.{name}"


def gradients(loss, named):
    names = list(named)
    grads = torch.autograd.grad(loss, [named[name] for name in names])
    return {name: tensor_json(grad) for name, grad in zip(names, grads)}


def main():
    torch.set_grad_enabled(True)
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    g = torch.Generator()
    g.manual_seed(7)

    weights = random_weights(g)
    input_ids, token_type_ids, attention_mask = make_inputs(g)
    class_labels = torch.tensor(CLASS_LABELS, dtype=torch.long)
    regression_targets = as_f32(torch.tensor(REGRESSION_TARGETS, dtype=torch.float64))

    with open(os.path.join(FIXTURE_DIR, "config.json"), "w") as handle:
        json.dump(CONFIG, handle, indent=2)
    write_safetensors(os.path.join(FIXTURE_DIR, "model.safetensors"), {hf_name(name): t for name, t in weights.items()})

    # Forward outputs in eval mode.
    classification_head = seeded_head(NUM_LABELS)
    regression_head = seeded_head(1)
    with torch.no_grad():
        hidden, pooled = encoder(weights, input_ids, token_type_ids, attention_mask)
        class_logits, class_loss = classification(weights, classification_head, pooled, class_labels)
        regression_out, regression_loss = regression(weights, regression_head, pooled, regression_targets)
        mlm = mlm_logits(weights, hidden).reshape(BATCH * TOKENS, -1)
    write_json(
        "inputs.json",
        {
            "batch": BATCH,
            "tokens": TOKENS,
            "seed": MODEL_SEED,
            "numLabels": NUM_LABELS,
            "inputs": {
                "input_ids": tensor_json(input_ids),
                "token_type_ids": tensor_json(token_type_ids),
                "attention_mask": tensor_json(attention_mask),
                "class_labels": tensor_json(class_labels),
                "regression_targets": tensor_json(regression_targets),
            },
            "heads": {
                "classification": {name: tensor_json(t) for name, t in classification_head.items()},
                "regression": {name: tensor_json(t) for name, t in regression_head.items()},
            },
            "expected": {
                "last_hidden_state": tensor_json(hidden),
                "pooled_output": tensor_json(pooled),
                "classification_logits": tensor_json(class_logits),
                "classification_loss": tensor_json(class_loss.reshape(1)),
                "regression_output": tensor_json(regression_out),
                "regression_loss": tensor_json(regression_loss.reshape(1)),
                "mlm_logits": tensor_json(mlm),
            },
        },
    )

    # Adapters on the frozen encoder, with the classification head trainable.
    for method in METHODS:
        adapters = random_adapters(g, method)
        head = {name: t.clone().requires_grad_(True) for name, t in classification_head.items()}
        trainable = dict(head)
        for path, values in adapters.items():
            for factor, t in values.items():
                t.requires_grad_(True)
                trainable[f"{path}.{factor}"] = t
        _, pooled = encoder(weights, input_ids, token_type_ids, attention_mask, adapters, method)
        _, loss = classification(weights, head, pooled, class_labels)
        write_json(
            f"adapter-{method}.json",
            {
                "method": method,
                "rank": ADAPTER_RANK,
                "alpha": ADAPTER_ALPHA,
                "modules": ADAPTER_MODULES,
                "adapters": {path: {factor: tensor_json(t) for factor, t in values.items()} for path, values in adapters.items()},
                "expected": {"loss": tensor_json(loss.reshape(1)), "gradients": gradients(loss, trainable)},
            },
        )

    # Full fine-tuning: every base weight of the classification model and the head.
    trainable = {name: t.clone().requires_grad_(True) for name, t in weights.items() if not name.startswith("cls.")}
    head = {name: t.clone().requires_grad_(True) for name, t in classification_head.items()}
    _, pooled = encoder(trainable, input_ids, token_type_ids, attention_mask)
    _, loss = classification(trainable, head, pooled, class_labels)
    # The key bias adds q·b to every score of a query row, which softmax ignores, so its gradient is exactly 0
    # and only rounding noise remains on either side. Those gradients are listed apart and checked against the
    # norm of all gradients instead of their own.
    all_gradients = gradients(loss, {**trainable, **head})
    zero = [name for name in all_gradients if name.endswith("attention.self.key.bias")]
    write_json(
        "full-finetune.json",
        {
            "expected": {
                "loss": tensor_json(loss.reshape(1)),
                "gradients": {name: g for name, g in all_gradients.items() if name not in zero},
                "zero_gradients": zero,
            }
        },
    )


if __name__ == "__main__":
    main()
