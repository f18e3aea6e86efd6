"""Write a trained model in Hugging Face layout.

Files: config.json, model.safetensors, vocab.txt, tokenizer.json,
tokenizer_config.json and special_tokens_map.json, as transformers'
save_pretrained and a BertTokenizerFast would write them.
"""

import json
import os
import shutil

from bert_tokenizer import MAX_INPUT_CHARS_PER_WORD, SPECIAL_TOKENS, load_vocab
from safetensors_io import write_safetensors

# Informational only: transformers writes its own version here and does not check it on load.
TRANSFORMERS_VERSION = "4.40.0"


def build_config(model_config):
    """Return config.json content: every standard BertConfig key for BertForMaskedLM."""
    return {
        "architectures": ["BertForMaskedLM"],
        "model_type": "bert",
        "attention_probs_dropout_prob": model_config["attention_probs_dropout_prob"],
        "classifier_dropout": None,
        "hidden_act": model_config["hidden_act"],
        "hidden_dropout_prob": model_config["hidden_dropout_prob"],
        "hidden_size": model_config["hidden_size"],
        "initializer_range": model_config["initializer_range"],
        "intermediate_size": model_config["intermediate_size"],
        "layer_norm_eps": model_config["layer_norm_eps"],
        "max_position_embeddings": model_config["max_position_embeddings"],
        "num_attention_heads": model_config["num_attention_heads"],
        "num_hidden_layers": model_config["num_hidden_layers"],
        "pad_token_id": model_config["pad_token_id"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "type_vocab_size": model_config["type_vocab_size"],
        "use_cache": True,
        "vocab_size": model_config["vocab_size"],
        "tie_word_embeddings": True,
    }


def build_tokenizer_json(vocab):
    """Return tokenizer.json content for an uncased BERT WordPiece tokenizer (tokenizers 0.x format)."""
    added_tokens = [
        {
            "id": vocab[token], "content": token, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": True,
        }
        for token in SPECIAL_TOKENS
    ]
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens,
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": True,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [cls_id], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [sep_id], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": MAX_INPUT_CHARS_PER_WORD,
            "vocab": vocab,
        },
    }


def build_tokenizer_config(vocab):
    """Return tokenizer_config.json content for transformers' BertTokenizer/BertTokenizerFast."""
    return {
        "added_tokens_decoder": {
            str(vocab[token]): {
                "content": token, "lstrip": False, "normalized": False,
                "rstrip": False, "single_word": False, "special": True,
            }
            for token in SPECIAL_TOKENS
        },
        "clean_up_tokenization_spaces": True,
        "cls_token": "[CLS]",
        "do_basic_tokenize": True,
        "do_lower_case": True,
        "mask_token": "[MASK]",
        "model_max_length": 512,
        "never_split": None,
        "pad_token": "[PAD]",
        "sep_token": "[SEP]",
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "tokenizer_class": "BertTokenizer",
        "unk_token": "[UNK]",
    }


def write_json(path, content):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def export_model(model, vocab_path, output_dir):
    """Write model weights, config and tokenizer files of model to output_dir."""
    os.makedirs(output_dir, exist_ok=True)
    vocab = load_vocab(vocab_path)
    if len(vocab) != model.config["vocab_size"]:
        raise ValueError(f"{vocab_path} has {len(vocab)} tokens but the model expects {model.config['vocab_size']}")
    write_json(os.path.join(output_dir, "config.json"), build_config(model.config))
    write_safetensors(os.path.join(output_dir, "model.safetensors"), model.hf_state_dict(), {"format": "pt"})
    shutil.copyfile(vocab_path, os.path.join(output_dir, "vocab.txt"))
    write_json(os.path.join(output_dir, "tokenizer.json"), build_tokenizer_json(vocab))
    write_json(os.path.join(output_dir, "tokenizer_config.json"), build_tokenizer_config(vocab))
    write_json(os.path.join(output_dir, "special_tokens_map.json"), {
        "cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]", "unk_token": "[UNK]",
    })
