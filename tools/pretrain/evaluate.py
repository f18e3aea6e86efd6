#!/usr/bin/python3
"""Check an exported model folder and recompute its held-out MLM metrics.

Checks, each raising on failure:
  * model.safetensors parses with our own reader (safetensors_io.py), contains
    exactly the expected transformers parameter names and shapes, and loads
    into the plain-torch BertForMaskedLM built from config.json;
  * vocab.txt and tokenizer.json map every token to the same id, the five
    special tokens are ids 0-4 and marked special, and the vocabulary size
    equals config.json's vocab_size;
  * our Python tokenizer, the Rust `tokenizers` library and the JS
    `@huggingface/tokenizers` library give identical ids on the held-out sample
    (skipped with a warning when node or the npm packages are missing);
  * the recomputed held-out metrics equal those pretrain.py logged (when
    training_stats.json is present).

Then it writes metrics, the unigram baseline, per-line metrics on
heldout-sample.txt and fill-mask examples to --output (JSON) for model_card.py.
"""

import argparse
import json
import logging
import os
import shutil
import subprocess

import numpy as np
import torch

from bert_model import BertForMaskedLM
from bert_tokenizer import SPECIAL_TOKENS, basic_tokenize, load_vocab
from mlm_data import (
    evaluate_mlm, load_tokenizer, most_frequent_token, pack_sequences, tokenize_corpus,
)
from pretrain import DEFAULT_OUTPUT_DIR, EVAL_MASK_SEED, EVAL_PACK_SEED
from safetensors_io import read_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")
log = logging.getLogger("evaluate")

# Tricky inputs for the tokenizer cross-check in addition to the held-out sample.
TOKENIZER_EDGE_CASES = [
    "Café naïve résumé — “quoted” text, isn't it?",
    "日本語 mixed with English_words and\ttabs.",
    "Numbers: 9,138,531 acres; e.g. U.S. Congress (1790-2018).",
    "A" * 120 + " word longer than 100 characters.",
]


def expected_parameter_shapes(config):
    """Return the transformers BertForMaskedLM parameter names and shapes, without the tied decoder."""
    hidden, inter, vocab = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    shapes = {
        "bert.embeddings.word_embeddings.weight": [vocab, hidden],
        "bert.embeddings.position_embeddings.weight": [config["max_position_embeddings"], hidden],
        "bert.embeddings.token_type_embeddings.weight": [config["type_vocab_size"], hidden],
        "bert.embeddings.LayerNorm.weight": [hidden],
        "bert.embeddings.LayerNorm.bias": [hidden],
        "bert.pooler.dense.weight": [hidden, hidden],
        "bert.pooler.dense.bias": [hidden],
        "cls.predictions.bias": [vocab],
        "cls.predictions.transform.dense.weight": [hidden, hidden],
        "cls.predictions.transform.dense.bias": [hidden],
        "cls.predictions.transform.LayerNorm.weight": [hidden],
        "cls.predictions.transform.LayerNorm.bias": [hidden],
    }
    for i in range(config["num_hidden_layers"]):
        prefix = f"bert.encoder.layer.{i}."
        for name in ("query", "key", "value"):
            shapes[f"{prefix}attention.self.{name}.weight"] = [hidden, hidden]
            shapes[f"{prefix}attention.self.{name}.bias"] = [hidden]
        shapes[f"{prefix}attention.output.dense.weight"] = [hidden, hidden]
        shapes[f"{prefix}attention.output.dense.bias"] = [hidden]
        shapes[f"{prefix}intermediate.dense.weight"] = [inter, hidden]
        shapes[f"{prefix}intermediate.dense.bias"] = [inter]
        shapes[f"{prefix}output.dense.weight"] = [hidden, inter]
        shapes[f"{prefix}output.dense.bias"] = [hidden]
        for block in ("attention.output", "output"):
            shapes[f"{prefix}{block}.LayerNorm.weight"] = [hidden]
            shapes[f"{prefix}{block}.LayerNorm.bias"] = [hidden]
    return shapes


def load_model(model_dir):
    """Build the model from config.json and model.safetensors and check parameter names and shapes."""
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    if config.get("model_type") != "bert" or config.get("architectures") != ["BertForMaskedLM"]:
        raise ValueError(f"config.json: expected model_type bert and BertForMaskedLM, got {config.get('model_type')}, {config.get('architectures')}")
    tensors, metadata = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    if metadata.get("format") != "pt":
        raise ValueError(f"model.safetensors: __metadata__.format is {metadata.get('format')!r}, expected 'pt'")
    expected = expected_parameter_shapes(config)
    stored = {name: list(tensor.shape) for name, tensor in tensors.items()}
    stored.pop("cls.predictions.decoder.weight", None)  # optional tied copy
    if stored != expected:
        missing = sorted(set(expected) - set(stored))
        unexpected = sorted(set(stored) - set(expected))
        wrong = sorted(n for n in set(expected) & set(stored) if expected[n] != stored[n])
        raise ValueError(f"model.safetensors: missing {missing}, unexpected {unexpected}, wrong shapes {wrong}")
    model_config = {key: config[key] for key in (
        "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
        "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings",
        "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id",
    )}
    model = BertForMaskedLM(model_config)
    model.load_hf_state_dict(tensors)
    model.eval()
    return model, config


def check_tokenizer_files(model_dir, vocab_size):
    """Check that vocab.txt, tokenizer.json and tokenizer_config.json agree."""
    vocab = load_vocab(os.path.join(model_dir, "vocab.txt"))
    with open(os.path.join(model_dir, "tokenizer.json"), encoding="utf-8") as handle:
        tokenizer_json = json.load(handle)
    with open(os.path.join(model_dir, "tokenizer_config.json"), encoding="utf-8") as handle:
        tokenizer_config = json.load(handle)
    if tokenizer_json["model"]["vocab"] != vocab:
        raise ValueError("tokenizer.json model.vocab differs from vocab.txt")
    if len(vocab) != vocab_size:
        raise ValueError(f"vocab.txt has {len(vocab)} tokens, config.json vocab_size is {vocab_size}")
    for expected_id, token in enumerate(SPECIAL_TOKENS):
        if vocab.get(token) != expected_id:
            raise ValueError(f"special token {token} has id {vocab.get(token)}, expected {expected_id}")
    added = {entry["content"]: entry for entry in tokenizer_json["added_tokens"]}
    for token in SPECIAL_TOKENS:
        if token not in added or added[token]["id"] != vocab[token] or not added[token]["special"]:
            raise ValueError(f"tokenizer.json added_tokens entry for {token} is missing or wrong")
    normalizer = tokenizer_json["normalizer"]
    if normalizer["type"] != "BertNormalizer" or not normalizer["lowercase"]:
        raise ValueError(f"tokenizer.json normalizer is {normalizer}, expected a lowercasing BertNormalizer")
    if not tokenizer_config.get("do_lower_case") or tokenizer_config.get("model_max_length") != 512:
        raise ValueError("tokenizer_config.json needs do_lower_case true and model_max_length 512")
    log.info("tokenizer files agree: %d tokens, specials at ids 0-4", len(vocab))


def cross_check_encodings(model_dir, tokenizer, lines):
    """Compare our ids with the Rust and JS Hugging Face tokenizers; return the count of lines compared."""
    script = os.path.join(HERE, "encode_with_hf.mjs")
    packages = os.path.join(CACHE, "npm", "node_modules")
    if shutil.which("node") is None or not os.path.isdir(os.path.join(packages, "tokenizers")):
        log.warning("skipping the Hugging Face tokenizer cross-check: node or %s/tokenizers is missing", packages)
        return 0
    text_path = os.path.join(CACHE, "tokenizer-check.txt")
    with open(text_path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    output = subprocess.run(["node", script, model_dir, text_path], check=True, capture_output=True, text=True).stdout
    results = [json.loads(row) for row in output.splitlines()]
    if len(results) != len(lines):
        raise ValueError(f"encode_with_hf.mjs returned {len(results)} rows for {len(lines)} lines")
    for line, result in zip(lines, results):
        ours = [tokenizer.cls_id] + tokenizer.encode(line) + [tokenizer.sep_id]
        if result["rust"] != ours or result["js"] != ours:
            raise ValueError(f"tokenizer mismatch on {line!r}: ours {ours}, rust {result['rust']}, js {result['js']}")
    log.info("tokenizer ids match the Rust and JS Hugging Face tokenizers on %d lines", len(lines))
    return len(lines)


def evaluate_sample_lines(model, tokenizer, lines, unigram_id, seed):
    """Return MLM metrics with each sample line as its own [CLS] line [SEP] sequence."""
    sequences = [[tokenizer.cls_id] + tokenizer.encode(line)[:126] + [tokenizer.sep_id] for line in lines]
    width = max(len(s) for s in sequences)
    input_ids = np.zeros((len(sequences), width), dtype=np.int64)
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    for row, sequence in enumerate(sequences):
        input_ids[row, :len(sequence)] = sequence
    return evaluate_mlm(model, input_ids, lengths, tokenizer, len(tokenizer.vocab), len(SPECIAL_TOKENS), seed, unigram_id=unigram_id)


@torch.no_grad()
def fill_mask_examples(model, tokenizer, lines, count, seed):
    """Return fill-mask examples: one whole word masked per sentence, with the top-5 predictions.

    The masked word is drawn (seeded) among words that are a single vocabulary
    token of at least 3 letters, so a prediction can match it exactly.
    """
    rng = np.random.default_rng(seed)
    examples = []
    for line in lines:
        words = basic_tokenize(line)
        candidates = [
            i for i, word in enumerate(words)
            if word.isalpha() and len(word) >= 3 and tokenizer.word_to_ids(word) == [tokenizer.vocab.get(word)]
        ]
        if not candidates:
            continue
        target = int(rng.choice(candidates))
        ids = [tokenizer.cls_id]
        for i, word in enumerate(words):
            if i == target:
                mask_position = len(ids)
                ids.append(tokenizer.mask_id)
            else:
                ids.extend(tokenizer.word_to_ids(word))
        ids.append(tokenizer.sep_id)
        input_ids = torch.tensor([ids])
        logits = model(input_ids, torch.ones_like(input_ids))[0, mask_position]
        probabilities = logits.softmax(-1)
        top = probabilities.topk(5)
        masked_text = " ".join("[MASK]" if i == target else word for i, word in enumerate(words))
        examples.append({
            "text": masked_text,
            "answer": words[target],
            "top5": [[tokenizer.ids_to_tokens[int(i)], float(p)] for p, i in zip(top.values, top.indices)],
        })
        if len(examples) == count:
            break
    return examples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", default=DEFAULT_OUTPUT_DIR, help="exported model folder (default: %(default)s)")
    parser.add_argument("--corpus-dir", default=os.path.join(CACHE, "corpus"), help="output of build_corpus.py")
    parser.add_argument("--work-dir", default=os.path.join(CACHE, "run"), help="pretrain.py work folder (token cache, training_stats.json)")
    parser.add_argument("--sample", default=os.path.join(HERE, "heldout-sample.txt"), help="held-out sample file")
    parser.add_argument("--output", default=os.path.join(CACHE, "run", "eval.json"), help="metrics JSON to write")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: %(default)s)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    torch.set_num_threads(args.threads)

    model, config = load_model(args.model_dir)
    log.info("loaded %s/model.safetensors with our own reader", args.model_dir)
    check_tokenizer_files(args.model_dir, config["vocab_size"])
    vocab_path = os.path.join(args.model_dir, "vocab.txt")
    tokenizer = load_tokenizer(vocab_path)
    with open(args.sample, encoding="utf-8") as handle:
        sample_lines = [line.rstrip("\n") for line in handle if line.strip()]
    compared = cross_check_encodings(args.model_dir, tokenizer, sample_lines + TOKENIZER_EDGE_CASES)

    # The unigram baseline predicts the most frequent non-special training token everywhere.
    train_sentences = tokenize_corpus(
        os.path.join(args.corpus_dir, "train.jsonl"), tokenizer, os.path.join(args.work_dir, "train_tokens.npz"), vocab_path,
    )
    unigram_id, unigram_count = most_frequent_token(train_sentences, len(SPECIAL_TOKENS))
    heldout_sentences = tokenize_corpus(os.path.join(args.corpus_dir, "heldout.jsonl"), tokenizer)
    heldout_ids, heldout_lengths = pack_sequences(heldout_sentences, tokenizer, 128, 0.0, EVAL_PACK_SEED)
    heldout = evaluate_mlm(
        model, heldout_ids, heldout_lengths, tokenizer, config["vocab_size"], len(SPECIAL_TOKENS), EVAL_MASK_SEED,
        unigram_id=unigram_id,
    )
    log.info("held-out (packed, all sources): %s", json.dumps(heldout))

    stats_path = os.path.join(args.work_dir, "training_stats.json")
    if os.path.exists(stats_path):
        with open(stats_path, encoding="utf-8") as handle:
            logged = json.load(handle)["heldout"]
        if logged["masked_positions"] != heldout["masked_positions"] or abs(logged["mlm_loss"] - heldout["mlm_loss"]) > 1e-4 \
                or abs(logged["mlm_accuracy"] - heldout["mlm_accuracy"]) > 1e-6:
            raise ValueError(f"recomputed held-out metrics {heldout} differ from training_stats.json {logged}")
        log.info("recomputed held-out metrics match training_stats.json")

    sample = evaluate_sample_lines(model, tokenizer, sample_lines, unigram_id, EVAL_MASK_SEED)
    log.info("held-out sample (one line per sequence): %s", json.dumps(sample))
    examples = fill_mask_examples(model, tokenizer, sample_lines, 10, seed=7)
    for example in examples:
        log.info("%s -> %s | %s", example["text"], example["answer"], ", ".join(f"{t} {p:.2f}" for t, p in example["top5"]))

    result = {
        "heldout": heldout,
        "heldout_sample": sample,
        "unigram_token": tokenizer.ids_to_tokens[unigram_id],
        "unigram_token_id": unigram_id,
        "unigram_token_train_count": unigram_count,
        "train_tokens": int(sum(len(s) for s in train_sentences)),
        "tokenizer_lines_cross_checked": compared,
        "fill_mask_examples": examples,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2, ensure_ascii=False)
    log.info("wrote %s", args.output)


if __name__ == "__main__":
    main()
