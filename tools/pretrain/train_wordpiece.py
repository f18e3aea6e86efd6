#!/usr/bin/python3
"""Train an uncased WordPiece vocabulary on the training split of the corpus.

The trainer follows Hugging Face's WordPieceTrainer, which runs a BPE merge
trainer with a "##" continuation prefix: every word starts as its characters
("c", "##h", "##a", ...), the most frequent adjacent pair is merged repeatedly,
and each merge adds one token. Pair counts are updated incrementally over the
unique words, so the cost per merge depends on the words that contain the pair,
not on the corpus size.

Vocabulary order: the 5 special tokens ([PAD]=0, [UNK], [CLS], [SEP], [MASK]),
then the alphabet sorted by frequency, then merged tokens in merge order.
"""

import argparse
import collections
import heapq
import json
import os
import time

from bert_tokenizer import CONTINUATION_PREFIX, SPECIAL_TOKENS, basic_tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, ".cache", "corpus", "train.jsonl")
DEFAULT_OUTPUT = os.path.join(HERE, ".cache", "vocab.txt")


def count_words(corpus_path):
    """Return a Counter of pre-tokenized words over all sentences of a corpus JSONL file."""
    counts = collections.Counter()
    with open(corpus_path, encoding="utf-8") as handle:
        for line in handle:
            for sentence in json.loads(line)["sentences"]:
                counts.update(basic_tokenize(sentence))
    return counts


def merge_symbols(left, right):
    """Return the token for the pair (left, right); right loses its "##" prefix."""
    if right.startswith(CONTINUATION_PREFIX):
        right = right[len(CONTINUATION_PREFIX):]
    return left + right


def train_wordpiece(word_counts, vocab_size, limit_alphabet, min_frequency):
    """Return the WordPiece vocabulary (list of tokens) learned from word counts."""
    # Alphabet: the limit_alphabet most frequent characters. Words with other
    # characters are left out of training and become [UNK] at encoding time.
    char_counts = collections.Counter()
    for word, count in word_counts.items():
        for char in word:
            char_counts[char] += count
    alphabet = {char for char, _ in char_counts.most_common(limit_alphabet)}

    words, freqs = [], []
    for word, count in word_counts.items():
        if all(char in alphabet for char in word):
            words.append([word[0]] + [CONTINUATION_PREFIX + char for char in word[1:]])
            freqs.append(count)

    vocab = list(SPECIAL_TOKENS)
    seen = set(vocab)
    symbol_counts = collections.Counter()
    for symbols, count in zip(words, freqs):
        for symbol in symbols:
            symbol_counts[symbol] += count
    for symbol, _ in sorted(symbol_counts.items(), key=lambda item: (-item[1], item[0])):
        if symbol not in seen:
            vocab.append(symbol)
            seen.add(symbol)

    # pair_counts[pair] is the frequency-weighted count; pair_words[pair] contains
    # indices of the words that contain the pair.
    pair_counts = collections.Counter()
    pair_words = collections.defaultdict(set)
    for index, symbols in enumerate(words):
        for pair in zip(symbols, symbols[1:]):
            pair_counts[pair] += freqs[index]
            pair_words[pair].add(index)
    heap = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)

    while len(vocab) < vocab_size and heap:
        negative_count, pair = heapq.heappop(heap)
        current = pair_counts.get(pair, 0)
        if current != -negative_count:
            # Stale heap entry: re-queue it with the current count.
            if current > 0:
                heapq.heappush(heap, (-current, pair))
            continue
        if current < min_frequency:
            break
        new_token = merge_symbols(*pair)
        if new_token not in seen:
            vocab.append(new_token)
            seen.add(new_token)

        changed = set()
        for index in list(pair_words[pair]):
            symbols = words[index]
            count = freqs[index]
            for old_pair in zip(symbols, symbols[1:]):
                pair_counts[old_pair] -= count
                pair_words[old_pair].discard(index)
                changed.add(old_pair)
            merged = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == pair[0] and symbols[i + 1] == pair[1]:
                    merged.append(new_token)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            words[index] = merged
            for new_pair in zip(merged, merged[1:]):
                pair_counts[new_pair] += count
                pair_words[new_pair].add(index)
                changed.add(new_pair)
        for changed_pair in changed:
            count = pair_counts[changed_pair]
            if count > 0:
                heapq.heappush(heap, (-count, changed_pair))
            else:
                del pair_counts[changed_pair]
                pair_words.pop(changed_pair, None)
    return vocab


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="training split JSONL (default: %(default)s)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="vocab.txt to write (default: %(default)s)")
    parser.add_argument("--vocab-size", type=int, default=8192, help="total tokens including specials (default: %(default)s)")
    parser.add_argument("--limit-alphabet", type=int, default=1000, help="max distinct initial characters (default: %(default)s)")
    parser.add_argument("--min-frequency", type=int, default=2, help="stop merging below this pair count (default: %(default)s)")
    args = parser.parse_args()

    start = time.time()
    word_counts = count_words(args.corpus)
    print(f"counted {sum(word_counts.values())} words, {len(word_counts)} unique, in {time.time() - start:.1f} s")
    vocab = train_wordpiece(word_counts, args.vocab_size, args.limit_alphabet, args.min_frequency)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(vocab) + "\n")
    print(f"wrote {len(vocab)} tokens to {args.output} in {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
