#!/usr/bin/python3
"""Writes the MLM logits of the embedded default model (public/models/mtlora-bert-tiny) for a few held-out
sentences, computed by the plain-torch BERT of encoder.py from the checkpoint's Hugging Face tensor names.
src/model/embedded-mlm.test.ts checks that our engine reproduces them. Run with Debian's interpreter:
/usr/bin/python3 tools/reference/embedded_mlm.py
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "pretrain"))

import torch  # noqa: E402

import encoder  # noqa: E402
from bert_tokenizer import WordPieceTokenizer, load_vocab  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

MODEL_DIR = os.path.join(ROOT, "public", "models", "mtlora-bert-tiny")
OUTPUT = os.path.join(HERE, "fixtures", "embedded-mlm.json")

# Held-out sentences (tools/pretrain/heldout-sample.txt) with one word replaced by [MASK].
SENTENCES = [
    "Yes, the United States bears a major [MASK] of leadership in this effort.",
    "Now, these tax proposals will increase opportunity everywhere in the [MASK].",
    "And this was the cause that he lifted up his hand against the [MASK].",
]


def main():
    with open(os.path.join(MODEL_DIR, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    # encoder.py's functions read the module-level CONFIG, so it is replaced by the embedded model's config.
    encoder.CONFIG.clear()
    encoder.CONFIG.update(config)
    tensors, _ = read_safetensors(os.path.join(MODEL_DIR, "model.safetensors"))
    weights = {name.removeprefix("bert."): tensor.to(torch.float64) for name, tensor in tensors.items()}

    tokenizer = WordPieceTokenizer(load_vocab(os.path.join(MODEL_DIR, "vocab.txt")))
    sequences = []
    for sentence in SENTENCES:
        # The tokenizer would split "[MASK]" as punctuation, so each side is encoded separately.
        before, after = sentence.split("[MASK]")
        sequences.append([tokenizer.cls_id] + tokenizer.encode(before) + [tokenizer.mask_id] + tokenizer.encode(after) + [tokenizer.sep_id])
    tokens = max(len(sequence) for sequence in sequences)
    input_ids = torch.full((len(sequences), tokens), config["pad_token_id"], dtype=torch.int64)
    attention_mask = torch.zeros((len(sequences), tokens), dtype=torch.int64)
    for row, sequence in enumerate(sequences):
        input_ids[row, : len(sequence)] = torch.tensor(sequence)
        attention_mask[row, : len(sequence)] = 1

    with torch.no_grad():
        hidden, _ = encoder.encoder(weights, input_ids, torch.zeros_like(input_ids), attention_mask)
        logits = encoder.mlm_logits(weights, hidden)

    masks = [sequence.index(tokenizer.mask_id) for sequence in sequences]
    payload = {
        "sentences": SENTENCES,
        "input_ids": input_ids.tolist(),
        "attention_mask": attention_mask.tolist(),
        "mask_positions": masks,
        "mask_logits": [[float(v) for v in logits[row, position].to(torch.float32).tolist()] for row, position in enumerate(masks)],
    }
    with open(OUTPUT, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, separators=(",", ":"))
    print(f"wrote {OUTPUT}: {len(SENTENCES)} sentences, {tokens} tokens, vocab {logits.shape[-1]}")


if __name__ == "__main__":
    main()
