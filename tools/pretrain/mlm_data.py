"""Corpus tokenization, sequence packing, MLM masking and MLM evaluation.

Shared by pretrain.py (training) and evaluate.py (checking the exported model),
so both score the same held-out sequences with the same masked positions.
"""

import hashlib
import json
import os

import numpy as np
import torch

from bert_tokenizer import WordPieceTokenizer, load_vocab

IGNORE_INDEX = -100  # label of positions that are not predicted (torch cross_entropy default)


def file_sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def tokenize_corpus(corpus_path, tokenizer, cache_path=None, vocab_path=None):
    """Return a list of int32 arrays, one per sentence, in corpus order.

    With cache_path, the result is stored as an .npz keyed by the SHA-256 of
    the corpus and the vocabulary and reused while both are unchanged.
    """
    key = None
    if cache_path and vocab_path:
        key = file_sha256(corpus_path) + file_sha256(vocab_path)
        if os.path.exists(cache_path):
            cached = np.load(cache_path)
            if str(cached["key"]) == key:
                return np.split(cached["ids"], cached["offsets"][1:-1])
    sentences = []
    with open(corpus_path, encoding="utf-8") as handle:
        for line in handle:
            for sentence in json.loads(line)["sentences"]:
                ids = tokenizer.encode(sentence)
                if ids:
                    sentences.append(np.asarray(ids, dtype=np.int32))
    if key:
        offsets = np.cumsum([0] + [len(s) for s in sentences])
        np.savez(cache_path, key=np.array(key), ids=np.concatenate(sentences), offsets=offsets)
    return sentences


def pack_sequences(sentences, tokenizer, seq_len, short_seq_prob, seed):
    """Pack consecutive whole sentences into [CLS] ... [SEP] sequences of at most seq_len tokens.

    Returns (input_ids int64 array (num_sequences, seq_len) padded with [PAD], lengths).
    With probability short_seq_prob a sequence gets a random shorter target
    length, as in BERT's data creation, so the model also gets padded inputs.
    A sentence longer than seq_len - 2 tokens is cut into pieces of that size,
    and a piece longer than a shorter random target is truncated to the target.
    """
    rng = np.random.default_rng(seed)
    max_body = seq_len - 2  # room for [CLS] and [SEP]

    def draw_target():
        return int(rng.integers(8, max_body + 1)) if rng.random() < short_seq_prob else max_body

    bodies = []
    current = []
    target = draw_target()
    for sentence in sentences:
        pieces = [sentence[i:i + max_body] for i in range(0, len(sentence), max_body)]
        for piece in pieces:
            if current and len(current) + len(piece) > target:
                bodies.append(current)
                current, target = [], draw_target()
            current.extend(piece[:target].tolist())
    if current:
        bodies.append(current)

    input_ids = np.full((len(bodies), seq_len), tokenizer.pad_id, dtype=np.int64)
    lengths = np.zeros(len(bodies), dtype=np.int64)
    for row, body in enumerate(bodies):
        tokens = [tokenizer.cls_id] + body + [tokenizer.sep_id]
        input_ids[row, :len(tokens)] = tokens
        lengths[row] = len(tokens)
    return input_ids, lengths


def mask_tokens(input_ids, lengths, vocab_size, num_special, mask_id, generator, mask_prob=0.15, replace_with_mask=0.8):
    """Apply BERT masking: choose mask_prob of real tokens, then 80% [MASK], 10% random, 10% kept.

    replace_with_mask=1.0 turns every chosen token into [MASK], as evaluation does: a kept token would be
    scored as a correct prediction of a token the model can see.

    input_ids: (batch, seq) int64; lengths: (batch,) real lengths including [CLS]/[SEP].
    Returns (masked input_ids, labels with IGNORE_INDEX at unchosen positions,
    attention_mask). [CLS], [SEP] and padding are never chosen. Random
    replacements are drawn from the non-special ids [num_special, vocab_size).
    """
    batch, seq = input_ids.shape
    positions = torch.arange(seq).unsqueeze(0)
    attention_mask = (positions < lengths.unsqueeze(1)).long()
    candidates = (positions > 0) & (positions < (lengths - 1).unsqueeze(1))

    chosen = (torch.rand(batch, seq, generator=generator) < mask_prob) & candidates
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, IGNORE_INDEX))

    decision = torch.rand(batch, seq, generator=generator)
    random_ids = torch.randint(num_special, vocab_size, (batch, seq), generator=generator)
    masked = input_ids.clone()
    random_cut = replace_with_mask + (1.0 - replace_with_mask) / 2
    masked[chosen & (decision < replace_with_mask)] = mask_id
    replace = chosen & (decision >= replace_with_mask) & (decision < random_cut)
    masked[replace] = random_ids[replace]
    return masked, labels, attention_mask


@torch.no_grad()
def evaluate_mlm(model, input_ids, lengths, tokenizer, vocab_size, num_special, seed, batch_size=64, unigram_id=None):
    """Return held-out MLM metrics with masking drawn from a fixed seed; every chosen token becomes [MASK].

    Metrics: mean cross-entropy over masked positions (nats), masked-token
    top-1 accuracy, number of masked positions, and, with unigram_id, the
    accuracy of always predicting that token at the same positions.
    """
    was_training = model.training
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    total_loss, total_correct, total_count, unigram_correct = 0.0, 0, 0, 0
    for start in range(0, len(input_ids), batch_size):
        batch_ids = torch.as_tensor(input_ids[start:start + batch_size])
        batch_lengths = torch.as_tensor(lengths[start:start + batch_size])
        masked, labels, attention_mask = mask_tokens(
            batch_ids, batch_lengths, vocab_size, num_special, tokenizer.mask_id, generator, replace_with_mask=1.0
        )
        if not (labels != IGNORE_INDEX).any():
            continue
        loss, logits, targets = model(masked, attention_mask, labels)
        count = targets.numel()
        total_loss += loss.item() * count
        total_correct += (logits.argmax(dim=-1) == targets).sum().item()
        total_count += count
        if unigram_id is not None:
            unigram_correct += (targets == unigram_id).sum().item()
    model.train(was_training)
    metrics = {
        "mlm_loss": total_loss / total_count,
        "mlm_accuracy": total_correct / total_count,
        "masked_positions": total_count,
    }
    if unigram_id is not None:
        metrics["unigram_accuracy"] = unigram_correct / total_count
    return metrics


def most_frequent_token(sentences, num_special):
    """Return (id, count) of the most frequent non-special token in tokenized sentences."""
    counts = np.bincount(np.concatenate(sentences))
    counts[:num_special] = 0
    best = int(counts.argmax())
    return best, int(counts[best])


def load_tokenizer(vocab_path):
    return WordPieceTokenizer(load_vocab(vocab_path))
