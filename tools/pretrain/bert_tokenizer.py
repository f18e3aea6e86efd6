"""Uncased BERT tokenization: basic tokenization plus greedy WordPiece.

This mirrors the Hugging Face tokenizers pipeline written to tokenizer.json:
BertNormalizer(clean_text, handle_chinese_chars, strip_accents, lowercase),
BertPreTokenizer (split on whitespace, isolate every punctuation character) and
WordPiece (longest match first, "##" continuation prefix, max 100 characters
per word, a word with any unmatched piece becomes [UNK]).
"""

import re
import sys
import unicodedata

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CONTINUATION_PREFIX = "##"
MAX_INPUT_CHARS_PER_WORD = 100


def is_punctuation(char):
    """Return True for BERT punctuation: ASCII non-alphanumeric symbols and Unicode category P*."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def is_chinese_char(code):
    """Return True for code points in the CJK Unified Ideographs blocks that BERT isolates."""
    return (
        0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F
    )


# The character class is built once from every code point (about 0.5 s) so that
# splitting runs as one regular expression instead of a Python loop per character.
_PUNCTUATION = "".join(chr(c) for c in range(sys.maxunicode + 1) if is_punctuation(chr(c)))
_TOKEN_RE = re.compile("[" + re.escape(_PUNCTUATION) + "]|[^\\s" + re.escape(_PUNCTUATION) + "]+")


def normalize(text):
    """Apply BertNormalizer: drop control characters, space out CJK, strip accents, lowercase."""
    if text.isascii():
        # Fast path: ASCII has no accents or CJK; only control characters need care.
        if not text.isprintable():
            text = "".join(ch if ch.isprintable() or ch in "\t\n\r" else "" for ch in text)
        return text.lower()
    output = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        category = unicodedata.category(char)
        if char in "\t\n\r" or category == "Zs":
            output.append(" ")
        elif category.startswith("C"):
            continue
        elif is_chinese_char(code):
            output.append(f" {char} ")
        else:
            output.append(char)
    text = unicodedata.normalize("NFD", "".join(output))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.lower()


def basic_tokenize(text):
    """Return the pre-tokenized words of text (whitespace split, punctuation isolated)."""
    return _TOKEN_RE.findall(normalize(text))


def load_vocab(path):
    """Read vocab.txt (one token per line, line number = id) into a token-to-id dict."""
    with open(path, encoding="utf-8") as handle:
        tokens = [line.rstrip("\n") for line in handle]
    return {token: index for index, token in enumerate(tokens)}


class WordPieceTokenizer:
    """Greedy longest-match WordPiece over a fixed vocabulary, with a per-word cache."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.ids_to_tokens = {index: token for token, index in vocab.items()}
        self.unk_id = vocab["[UNK]"]
        self.cls_id = vocab["[CLS]"]
        self.sep_id = vocab["[SEP]"]
        self.pad_id = vocab["[PAD]"]
        self.mask_id = vocab["[MASK]"]
        self._cache = {}

    def word_to_ids(self, word):
        """Split one pre-tokenized word into WordPiece ids ([UNK] if any piece is missing)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids = []
        if len(word) > MAX_INPUT_CHARS_PER_WORD:
            ids = [self.unk_id]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                piece_id = None
                while start < end:
                    piece = word[start:end] if start == 0 else CONTINUATION_PREFIX + word[start:end]
                    piece_id = self.vocab.get(piece)
                    if piece_id is not None:
                        break
                    end -= 1
                if piece_id is None:
                    ids = [self.unk_id]
                    break
                ids.append(piece_id)
                start = end
        if len(self._cache) < 2_000_000:
            self._cache[word] = ids
        return ids

    def encode(self, text):
        """Return WordPiece ids of text without [CLS]/[SEP]."""
        ids = []
        for word in basic_tokenize(text):
            ids.extend(self.word_to_ids(word))
        return ids

    def convert_ids_to_tokens(self, ids):
        return [self.ids_to_tokens[int(i)] for i in ids]
