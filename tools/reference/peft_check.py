#!/usr/bin/python3
"""Checks the playground's PEFT export against PyTorch, without the peft package.

For every case folder under tools/reference/fixtures/peft/ (written by `npm run check:peft`), this script loads
adapter_config.json and adapter_model.safetensors onto the plain-PyTorch BERT of encoder.py the way PEFT's
PeftModel.from_pretrained would, runs the fixture batch, and compares with the output our GPU model computed
(expected.json). What it reproduces of PEFT (checked against huggingface/peft's source):

- target_modules (check_target_module_exists): a string is a regex that must fullmatch a module name. A list
  entry matches a module name by equality or by the suffix ".<entry>". Every matched module must be an
  nn.Linear, because PEFT rejects other module types, and at least one must match.
- Keys: "base_model.model.<module name>.lora_A.weight" [r, in] and ".lora_B.weight" [out, r]; a
  modules_to_save module keeps its own parameter names under "base_model.model.<module name>.". A
  SEQ_CLS config also saves "classifier", which PeftModelForSequenceClassification adds to modules_to_save.
- The update: y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ with s = lora_alpha / r (LoRA Linear forward, lora_dropout 0), and
  the merged weight W + s·B·A (merge_and_unload). Both are compared.

A key that the config does not explain, a targeted module without its keys, or a classifier that the file does
not provide fails the case, because PEFT would leave such a module at its random init.

Run with Debian's interpreter: /usr/bin/python3 tools/reference/peft_check.py [--json] [FIXTURE_DIR]
Exits with 1 when any relative error ‖ours − torch‖ / ‖torch‖ exceeds 1e-5.
"""

import json
import os
import re
import struct
import sys

import torch

import encoder as reference

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE_DIR = os.path.join(HERE, "fixtures", "peft")
ENCODER_DIR = os.path.join(HERE, "fixtures", "encoder")
MAX_RELATIVE_ERROR = 1e-5
PREFIX = "base_model.model."


def read_safetensors(path):
    """Read every F32 tensor of a safetensors file as float64: the 8-byte little-endian header length, the JSON
    header of {name: {dtype, shape, data_offsets}}, then the data section that the offsets index."""
    with open(path, "rb") as handle:
        data = handle.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length].decode("utf-8"))
    start = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {entry['dtype']}; this reader handles F32 only")
        begin, end = entry["data_offsets"]
        values = struct.unpack(f"<{(end - begin) // 4}f", data[start + begin : start + end])
        tensors[name] = torch.tensor(values, dtype=torch.float32).to(torch.float64).reshape(entry["shape"])
    return tensors, header.get("__metadata__", {})


def module_names(num_layers, prefix):
    """Return (name, is_linear, parameter names) for transformers' BertModel modules under `prefix` ("bert." in
    BertForSequenceClassification, "" for a bare BertModel), in named_modules() order."""
    modules = []

    def add(name, linear=False, params=()):
        modules.append((prefix + name, linear, params))

    add("embeddings")
    for part in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        add(f"embeddings.{part}", params=("weight",))
    add("embeddings.LayerNorm", params=("weight", "bias"))
    add("embeddings.dropout")
    add("encoder")
    add("encoder.layer")
    for i in range(num_layers):
        layer = f"encoder.layer.{i}"
        add(layer)
        add(f"{layer}.attention")
        add(f"{layer}.attention.self")
        for projection in ("query", "key", "value"):
            add(f"{layer}.attention.self.{projection}", True, ("weight", "bias"))
        add(f"{layer}.attention.self.dropout")
        add(f"{layer}.attention.output")
        add(f"{layer}.attention.output.dense", True, ("weight", "bias"))
        add(f"{layer}.attention.output.LayerNorm", params=("weight", "bias"))
        add(f"{layer}.attention.output.dropout")
        add(f"{layer}.intermediate")
        add(f"{layer}.intermediate.dense", True, ("weight", "bias"))
        add(f"{layer}.intermediate.intermediate_act_fn")
        add(f"{layer}.output")
        add(f"{layer}.output.dense", True, ("weight", "bias"))
        add(f"{layer}.output.LayerNorm", params=("weight", "bias"))
        add(f"{layer}.output.dropout")
    add("pooler", params=("dense.weight", "dense.bias"))
    add("pooler.dense", True, ("weight", "bias"))
    add("pooler.activation")
    return modules


def sequence_classification_modules(num_layers):
    return [("bert", False, ())] + module_names(num_layers, "bert.") + [("dropout", False, ()), ("classifier", True, ("weight", "bias"))]


def matches_target(name, target_modules):
    """PEFT's check_target_module_exists without layers_to_transform."""
    if isinstance(target_modules, str):
        return re.fullmatch(target_modules, name) is not None
    return name in target_modules or any(name.endswith(f".{target}") for target in target_modules)


def load_base():
    with open(os.path.join(ENCODER_DIR, "config.json")) as handle:
        config = json.load(handle)
    tensors, _ = read_safetensors(os.path.join(ENCODER_DIR, "model.safetensors"))
    weights = {name[len("bert.") :] if name.startswith("bert.") else name: t for name, t in tensors.items()}
    with open(os.path.join(ENCODER_DIR, "inputs.json")) as handle:
        inputs = json.load(handle)
    return config, weights, inputs


def batch_tensor(inputs, name):
    entry = inputs["inputs"][name]
    return torch.tensor(entry["data"], dtype=torch.long).reshape(entry["shape"])


def apply_peft(case_dir, config, base_weights, drop_pooler):
    """Return (weights by name without "bert.", classifier head or None, {module: (A, B)}, scaling, seq_cls) after
    loading the adapter folder the way PEFT would."""
    with open(os.path.join(case_dir, "adapter_config.json")) as handle:
        adapter_config = json.load(handle)
    tensors, metadata = read_safetensors(os.path.join(case_dir, "adapter_model.safetensors"))
    if adapter_config["peft_type"] != "LORA":
        raise ValueError(f"peft_type is {adapter_config['peft_type']}; expected LORA")
    for key, expected in (("bias", "none"), ("fan_in_fan_out", False), ("use_rslora", False), ("use_dora", False)):
        if adapter_config.get(key, expected) != expected:
            raise ValueError(f"{key} is {adapter_config[key]!r}; this check covers {expected!r} only")
    if metadata.get("format") != "pt":
        raise ValueError(f'adapter_model.safetensors metadata format is {metadata.get("format")!r}; PEFT writes "pt"')

    seq_cls = adapter_config["task_type"] == "SEQ_CLS"
    prefix = "bert." if seq_cls else ""
    layers = config["num_hidden_layers"]
    modules = sequence_classification_modules(layers) if seq_cls else module_names(layers, "")
    weights = dict(base_weights)
    if drop_pooler:
        # The checkpoint has no pooler, so transformers would draw one at random: only modules_to_save can supply it.
        del weights["pooler.dense.weight"], weights["pooler.dense.bias"]
    used = set()

    # LoRA layers.
    targeted = [(name, linear) for name, linear, _ in modules if matches_target(name, adapter_config["target_modules"])]
    if not targeted:
        raise ValueError(f"target_modules {adapter_config['target_modules']} match no module of the model")
    rank = adapter_config["r"]
    lora = {}
    for name, linear in targeted:
        if not linear:
            raise ValueError(f"target_modules select {name}, which is not an nn.Linear; PEFT rejects it")
        a_key, b_key = f"{PREFIX}{name}.lora_A.weight", f"{PREFIX}{name}.lora_B.weight"
        if a_key not in tensors or b_key not in tensors:
            raise ValueError(f"{name} is targeted but the file has no {a_key} and {b_key}")
        short = name[len(prefix) :]
        out_features, in_features = weights[f"{short}.weight"].shape
        if tuple(tensors[a_key].shape) != (rank, in_features) or tuple(tensors[b_key].shape) != (out_features, rank):
            raise ValueError(f"{name}: lora_A {tuple(tensors[a_key].shape)} / lora_B {tuple(tensors[b_key].shape)} do not fit r={rank} on [{out_features}, {in_features}]")
        lora[short] = (tensors[a_key], tensors[b_key])
        used.update((a_key, b_key))

    # modules_to_save, matched by suffix; PeftModelForSequenceClassification adds "classifier" (and "score").
    to_save = list(adapter_config.get("modules_to_save") or [])
    if seq_cls:
        to_save += [name for name in ("classifier", "score") if name not in to_save]
    head = None
    for name, _, params in modules:
        if not any(name.endswith(target) for target in to_save):
            continue
        for param in params:
            key = f"{PREFIX}{name}.{param}"
            if key not in tensors:
                raise ValueError(f"modules_to_save selects {name}, but the file has no {key}")
            used.add(key)
            if name == "classifier":
                head = head or {}
                head[f"classifier.{param}"] = tensors[key]
            else:
                weights[f"{name[len(prefix):]}.{param}"] = tensors[key]
    if seq_cls and head is None:
        raise ValueError("the file has no classifier; transformers would initialise it at random")
    if "pooler.dense.weight" not in weights:
        raise ValueError("the base model has no pooler and the file supplies none in modules_to_save")

    unexpected = sorted(set(tensors) - used)
    if unexpected:
        raise ValueError(f"keys that PEFT would not load: {unexpected[:3]}")
    return weights, head, lora, adapter_config["lora_alpha"] / rank, seq_cls


def run_model(weights, head, lora, scaling, seq_cls, inputs, merged):
    """Run the plain-PyTorch BERT in float64 with PEFT's unmerged LoRA forward, or with merged weights."""
    ids, types, mask = (batch_tensor(inputs, name) for name in ("input_ids", "token_type_ids", "attention_mask"))
    original_linear = reference.linear
    if merged:
        weights = dict(weights)
        for name, (a, b) in lora.items():
            weights[f"{name}.weight"] = weights[f"{name}.weight"] + scaling * (b @ a)
    else:

        def peft_linear(w, name, x, adapters, method):
            y = original_linear(w, name, x, {}, method)
            if name in lora:
                a, b = lora[name]
                y = y + (x @ a.T @ b.T) * scaling
            return y

        # encoder() looks `linear` up in its module at call time, so the LoRA layers take effect there.
        reference.linear = peft_linear
    try:
        with torch.no_grad():
            hidden, pooled = reference.encoder(weights, ids, types, mask)
    finally:
        reference.linear = original_linear
    if not seq_cls:
        return hidden
    return pooled @ head["classifier.weight"].T + head["classifier.bias"]


def relative_error(ours, reference_output):
    diff = torch.linalg.norm((ours - reference_output).flatten())
    norm = torch.linalg.norm(reference_output.flatten())
    return float(diff / norm) if norm > 0 else float(diff)


def check_case(case_dir, config, base_weights, inputs):
    with open(os.path.join(case_dir, "expected.json")) as handle:
        expected = json.load(handle)
    row = {"case": expected["case"], "method": expected["method"], "output": expected["output_name"]}
    try:
        weights, head, lora, scaling, seq_cls = apply_peft(case_dir, config, base_weights, expected["drop_pooler"])
        ours = torch.tensor(expected["output"]["data"], dtype=torch.float64).reshape(expected["output"]["shape"])
        for mode in ("unmerged", "merged"):
            output = run_model(weights, head, lora, scaling, seq_cls, inputs, merged=(mode == "merged"))
            if tuple(output.shape) != tuple(ours.shape):
                raise ValueError(f"{mode} output has shape {tuple(output.shape)}, ours {tuple(ours.shape)}")
            row[mode] = relative_error(ours, output)
        row["lora_modules"] = len(lora)
        row["passed"] = all(row[mode] <= MAX_RELATIVE_ERROR for mode in ("unmerged", "merged"))
    except (ValueError, KeyError) as error:
        row["error"] = str(error)
        row["passed"] = False
    return row


def main(argv):
    as_json = "--json" in argv
    paths = [arg for arg in argv if arg != "--json"]
    fixture_dir = paths[0] if paths else DEFAULT_FIXTURE_DIR
    cases = sorted(name for name in os.listdir(fixture_dir) if os.path.isfile(os.path.join(fixture_dir, name, "expected.json")))
    if not cases:
        print(f"No cases under {fixture_dir}; run `npm run check:peft` to write them.", file=sys.stderr)
        return 1

    config, base_weights, inputs = load_base()
    rows = [check_case(os.path.join(fixture_dir, name), config, base_weights, inputs) for name in cases]
    if as_json:
        print(json.dumps({"torch": torch.__version__, "limit": MAX_RELATIVE_ERROR, "rows": rows}))
    else:
        for row in rows:
            detail = row.get("error") or f"unmerged {row['unmerged']:.2e}  merged {row['merged']:.2e}  ({row['lora_modules']} LoRA modules)"
            print(f"{row['case']:<16} {'ok    ' if row['passed'] else 'FAILED'}  {row['output']:<17} {detail}")
    return 0 if all(row["passed"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
