#!/usr/bin/python3
"""Pretrain a bert-tiny-shaped encoder with masked-language modelling on CPU.

Training stops on wall time (--minutes), not on a step count. The learning
rate warms up linearly over the first --warmup-fraction of the time budget and
then decays linearly to zero at the end of the budget. A checkpoint is written
every --checkpoint-minutes; --resume continues from it with the elapsed time
carried over. A larger --minutes on resume stretches the schedule, so the
learning rate jumps to the value the longer schedule has at the elapsed time
(about half the peak when a finished 40-minute run resumes with 80), without a
new warmup.
At the end the model is exported in Hugging Face layout to --output-dir and
run statistics go to <work-dir>/training_stats.json.

Run with one thread and low priority on shared machines:
  nice -n 19 /usr/bin/python3 tools/pretrain/pretrain.py --minutes 40
"""

import argparse
import json
import logging
import os
import platform
import time

import numpy as np
import torch

from bert_model import BertForMaskedLM
from bert_tokenizer import SPECIAL_TOKENS
from export_hf import export_model
from mlm_data import evaluate_mlm, load_tokenizer, mask_tokens, most_frequent_token, pack_sequences, tokenize_corpus

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUTPUT_DIR = os.path.join(REPO_ROOT, "public", "models", "mtlora-bert-tiny")
EVAL_MASK_SEED = 1234  # fixed masking of held-out sequences; evaluate.py uses the same value
EVAL_PACK_SEED = 0

log = logging.getLogger("pretrain")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus-dir", default=os.path.join(HERE, ".cache", "corpus"), help="output of build_corpus.py")
    parser.add_argument("--vocab", default=os.path.join(HERE, ".cache", "vocab.txt"), help="output of train_wordpiece.py")
    parser.add_argument("--work-dir", default=os.path.join(HERE, ".cache", "run"), help="checkpoints, token cache, logs")
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR, help="Hugging Face model folder to write")
    parser.add_argument("--minutes", type=float, default=40.0, help="training wall-time budget in minutes (default: %(default)s)")
    parser.add_argument("--checkpoint-minutes", type=float, default=5.0, help="minutes between checkpoints (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=32, help="sequences per step (default: %(default)s)")
    parser.add_argument("--seq-len", type=int, default=128, help="tokens per sequence incl. [CLS]/[SEP] (default: %(default)s)")
    parser.add_argument("--short-seq-prob", type=float, default=0.1, help="share of sequences packed to a random shorter length")
    parser.add_argument("--lr", type=float, default=1e-3, help="peak AdamW learning rate (default: %(default)s)")
    parser.add_argument("--warmup-fraction", type=float, default=0.05, help="share of the time budget for warmup (default: %(default)s)")
    parser.add_argument("--weight-decay", type=float, default=0.01, help="AdamW weight decay, not applied to biases and LayerNorm")
    parser.add_argument("--max-grad-norm", type=float, default=1.0, help="gradient clipping norm (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="seed for initialization, data order and masking")
    parser.add_argument("--log-every", type=int, default=100, help="steps between log lines")
    parser.add_argument("--resume", action="store_true", help="continue from <work-dir>/checkpoint.pt")
    return parser.parse_args()


def describe_machine():
    """Return the CPU model, CPU count and the BLAS library that this process loaded."""
    cpu = "unknown CPU"
    blas = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
        with open("/proc/self/maps", encoding="utf-8") as handle:
            # torch resolves libblas.so.3 at load time; the mapped file shows which BLAS that was.
            blas = next((line.split()[-1] for line in handle if "blas" in os.path.basename(line.split()[-1])), blas)
    except OSError:
        pass
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "blas_library": os.path.realpath(blas) if blas != "unknown" else blas,
            "platform": platform.platform(), "torch_version": torch.__version__}


def build_optimizer(model, args):
    """AdamW with weight decay on matrices only, as in BERT (no decay on biases and LayerNorm)."""
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        (no_decay if parameter.ndim == 1 else decay).append(parameter)
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.98), eps=1e-6,
    )


def learning_rate(args, elapsed_seconds):
    """Return the learning rate for the elapsed share of the time budget (warmup, then linear decay)."""
    progress = min(elapsed_seconds / (args.minutes * 60.0), 1.0)
    if progress < args.warmup_fraction:
        return args.lr * progress / args.warmup_fraction
    return args.lr * (1.0 - progress) / (1.0 - args.warmup_fraction)


def save_checkpoint(path, model, optimizer, state, mask_generator):
    """Write the checkpoint atomically so an interrupted write never replaces a good one."""
    temporary = path + ".tmp"
    torch.save({
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "state": state,
        "mask_generator": mask_generator.get_state(),
        "config": model.config,
    }, temporary)
    os.replace(temporary, path)


def load_data(args, tokenizer):
    """Tokenize (cached) and pack the training and held-out splits."""
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.time()
    train_sentences = tokenize_corpus(
        os.path.join(args.corpus_dir, "train.jsonl"), tokenizer,
        os.path.join(args.work_dir, "train_tokens.npz"), args.vocab,
    )
    heldout_sentences = tokenize_corpus(os.path.join(args.corpus_dir, "heldout.jsonl"), tokenizer)
    train_ids, train_lengths = pack_sequences(train_sentences, tokenizer, args.seq_len, args.short_seq_prob, args.seed)
    # Held-out sequences use full-length packing only, with a fixed seed, so the scores are comparable.
    heldout_ids, heldout_lengths = pack_sequences(heldout_sentences, tokenizer, args.seq_len, 0.0, EVAL_PACK_SEED)
    unigram_id, _ = most_frequent_token(train_sentences, len(SPECIAL_TOKENS))
    log.info(
        "data: %d train sequences (%d tokens), %d held-out sequences (%d tokens), prepared in %.0f s",
        len(train_ids), int(train_lengths.sum()), len(heldout_ids), int(heldout_lengths.sum()), time.time() - start,
    )
    return train_ids, train_lengths, heldout_ids, heldout_lengths, unigram_id


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    tokenizer = load_tokenizer(args.vocab)
    vocab_size = len(tokenizer.vocab)
    num_special = len(SPECIAL_TOKENS)
    train_ids, train_lengths, heldout_ids, heldout_lengths, unigram_id = load_data(args, tokenizer)
    # A fixed subset keeps the periodic evaluation at a few seconds.
    probe_ids, probe_lengths = heldout_ids[:256], heldout_lengths[:256]

    model = BertForMaskedLM({"vocab_size": vocab_size})
    optimizer = build_optimizer(model, args)
    mask_generator = torch.Generator().manual_seed(args.seed)
    state = {"step": 0, "epoch": 0, "epoch_position": 0, "elapsed_seconds": 0.0, "tokens_seen": 0, "history": []}
    checkpoint_path = os.path.join(args.work_dir, "checkpoint.pt")
    if args.resume:
        if not os.path.exists(checkpoint_path):
            raise SystemExit(f"--resume given but {checkpoint_path} not found; start without --resume")
        checkpoint = torch.load(checkpoint_path)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        mask_generator.set_state(checkpoint["mask_generator"])
        state = checkpoint["state"]
        log.info("resumed at step %d after %.1f min", state["step"], state["elapsed_seconds"] / 60)

    parameter_count = sum(p.numel() for p in model.parameters())
    log.info("model: %d parameters (tied embeddings counted once), vocab %d", parameter_count, vocab_size)

    budget_seconds = args.minutes * 60.0
    session_start = time.time() - state["elapsed_seconds"]
    last_checkpoint = time.time()
    order = np.random.default_rng(args.seed + state["epoch"]).permutation(len(train_ids))
    model.train()
    running_loss, running_correct, running_count = 0.0, 0, 0
    while True:
        elapsed = time.time() - session_start
        if elapsed >= budget_seconds:
            break
        if state["epoch_position"] >= len(order):
            state["epoch"] += 1
            state["epoch_position"] = 0
            order = np.random.default_rng(args.seed + state["epoch"]).permutation(len(train_ids))
        rows = order[state["epoch_position"]:state["epoch_position"] + args.batch_size]
        state["epoch_position"] += len(rows)

        # Trim the batch to its longest sequence: short sequences then cost less.
        batch_lengths = torch.as_tensor(train_lengths[rows])
        width = int(batch_lengths.max())
        batch_ids = torch.as_tensor(train_ids[rows, :width])
        masked, labels, attention_mask = mask_tokens(
            batch_ids, batch_lengths, vocab_size, num_special, tokenizer.mask_id, mask_generator
        )
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(args, elapsed)
        loss, logits, targets = model(masked, attention_mask, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
        optimizer.step()

        state["step"] += 1
        state["tokens_seen"] += int(batch_lengths.sum())
        running_loss += loss.item() * targets.numel()
        running_correct += (logits.argmax(-1) == targets).sum().item()
        running_count += targets.numel()
        if state["step"] % args.log_every == 0:
            elapsed = time.time() - session_start
            log.info(
                "step %d  loss %.3f  acc %.3f  lr %.2e  tokens %d  %.1f min",
                state["step"], running_loss / running_count, running_correct / running_count,
                optimizer.param_groups[0]["lr"], state["tokens_seen"], elapsed / 60,
            )
            running_loss, running_correct, running_count = 0.0, 0, 0

        if time.time() - last_checkpoint >= args.checkpoint_minutes * 60:
            metrics = evaluate_mlm(model, probe_ids, probe_lengths, tokenizer, vocab_size, num_special, EVAL_MASK_SEED)
            state["elapsed_seconds"] = time.time() - session_start
            state["history"].append({"step": state["step"], "minutes": state["elapsed_seconds"] / 60, **metrics})
            save_checkpoint(checkpoint_path, model, optimizer, state, mask_generator)
            last_checkpoint = time.time()
            log.info("checkpoint at step %d: held-out probe loss %.3f acc %.3f", state["step"], metrics["mlm_loss"], metrics["mlm_accuracy"])

    state["elapsed_seconds"] = time.time() - session_start
    save_checkpoint(checkpoint_path, model, optimizer, state, mask_generator)
    log.info("training stopped at step %d after %.1f min; evaluating on all held-out sequences", state["step"], state["elapsed_seconds"] / 60)
    metrics = evaluate_mlm(
        model, heldout_ids, heldout_lengths, tokenizer, vocab_size, num_special, EVAL_MASK_SEED, unigram_id=unigram_id
    )
    log.info("held-out: %s", json.dumps(metrics))

    export_model(model, args.vocab, args.output_dir)
    stats = {
        "steps": state["step"],
        "epochs_completed": state["epoch"],
        "batch_size": args.batch_size,
        "seq_len": args.seq_len,
        "short_seq_prob": args.short_seq_prob,
        "tokens_seen": state["tokens_seen"],
        "train_sequences": int(len(train_ids)),
        "train_tokens": int(train_lengths.sum()),
        "heldout_sequences": int(len(heldout_ids)),
        "heldout_tokens": int(heldout_lengths.sum()),
        "wall_minutes": state["elapsed_seconds"] / 60,
        "budget_minutes": args.minutes,
        "lr": args.lr,
        "warmup_fraction": args.warmup_fraction,
        "weight_decay": args.weight_decay,
        "threads": args.threads,
        "parameters": parameter_count,
        "machine": describe_machine(),
        "unigram_token": tokenizer.ids_to_tokens[unigram_id],
        "heldout": metrics,
        "history": state["history"],
    }
    with open(os.path.join(args.work_dir, "training_stats.json"), "w", encoding="utf-8") as handle:
        json.dump(stats, handle, indent=2)
    log.info("exported the model to %s", args.output_dir)


if __name__ == "__main__":
    main()
