"""BERT encoder with a masked-language-model head in plain PyTorch.

Module and parameter names match Hugging Face transformers' BertForMaskedLM
(bert.embeddings.*, bert.encoder.layer.{i}.*, bert.pooler.*, cls.predictions.*),
so state_dict() keys load into that class unchanged. The pooler is kept for
that layout but gets no gradient because pretraining uses MLM only.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

CONFIG_DEFAULTS = {
    "vocab_size": 8192,
    "hidden_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 512,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
}


class BertEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config["vocab_size"], config["hidden_size"], padding_idx=config["pad_token_id"])
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], config["hidden_size"])
        self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], config["hidden_size"])
        self.LayerNorm = nn.LayerNorm(config["hidden_size"], eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])

    def forward(self, input_ids, token_type_ids):
        # input_ids, token_type_ids: (batch, seq) int64 -> (batch, seq, hidden)
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        embeddings = (
            self.word_embeddings(input_ids)
            + self.position_embeddings(positions)
            + self.token_type_embeddings(token_type_ids)
        )
        return self.dropout(self.LayerNorm(embeddings))


class BertSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_heads = config["num_attention_heads"]
        self.head_size = config["hidden_size"] // self.num_heads
        self.query = nn.Linear(config["hidden_size"], config["hidden_size"])
        self.key = nn.Linear(config["hidden_size"], config["hidden_size"])
        self.value = nn.Linear(config["hidden_size"], config["hidden_size"])
        self.dropout = nn.Dropout(config["attention_probs_dropout_prob"])

    def split_heads(self, x):
        # (batch, seq, hidden) -> (batch, heads, seq, head_size)
        batch, seq, _ = x.shape
        return x.view(batch, seq, self.num_heads, self.head_size).transpose(1, 2)

    def forward(self, hidden, additive_mask):
        query = self.split_heads(self.query(hidden))
        key = self.split_heads(self.key(hidden))
        value = self.split_heads(self.value(hidden))
        scores = query @ key.transpose(-1, -2) / math.sqrt(self.head_size) + additive_mask
        probs = self.dropout(scores.softmax(dim=-1))
        context = (probs @ value).transpose(1, 2)
        return context.reshape(hidden.shape)


class BertSelfOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["hidden_size"])
        self.LayerNorm = nn.LayerNorm(config["hidden_size"], eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])

    def forward(self, hidden, residual):
        return self.LayerNorm(self.dropout(self.dense(hidden)) + residual)


class BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden, additive_mask):
        return self.output(self.self(hidden, additive_mask), hidden)


class BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["intermediate_size"])

    def forward(self, hidden):
        return F.gelu(self.dense(hidden))  # exact erf GELU, as hidden_act "gelu" in transformers


class BertOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config["intermediate_size"], config["hidden_size"])
        self.LayerNorm = nn.LayerNorm(config["hidden_size"], eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])

    def forward(self, hidden, residual):
        return self.LayerNorm(self.dropout(self.dense(hidden)) + residual)


class BertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden, additive_mask):
        attention_output = self.attention(hidden, additive_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config["num_hidden_layers"])])

    def forward(self, hidden, additive_mask):
        for layer in self.layer:
            hidden = layer(hidden, additive_mask)
        return hidden


class BertPooler(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["hidden_size"])

    def forward(self, hidden):
        return torch.tanh(self.dense(hidden[:, 0]))


class BertModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        """Return the last hidden states, shape (batch, seq, hidden).

        attention_mask is (batch, seq) with 1 for real tokens and 0 for padding.
        """
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        # (batch, 1, 1, seq): large negative scores on padded keys, as transformers does.
        additive_mask = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(input_ids, token_type_ids), additive_mask)


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["hidden_size"])
        self.LayerNorm = nn.LayerNorm(config["hidden_size"], eps=config["layer_norm_eps"])

    def forward(self, hidden):
        return self.LayerNorm(F.gelu(self.dense(hidden)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, config, word_embeddings):
        super().__init__()
        self.transform = BertPredictionHeadTransform(config)
        # The decoder weight is the word embedding matrix (weight tying, as in BERT);
        # the output bias is the separate parameter cls.predictions.bias.
        self.word_embeddings = word_embeddings
        self.bias = nn.Parameter(torch.zeros(config["vocab_size"]))

    def forward(self, hidden):
        # (..., hidden) -> (..., vocab) logits
        return F.linear(self.transform(hidden), self.word_embeddings.weight, self.bias)


class BertOnlyMLMHead(nn.Module):
    def __init__(self, config, word_embeddings):
        super().__init__()
        self.predictions = BertLMPredictionHead(config, word_embeddings)


class BertForMaskedLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = dict(CONFIG_DEFAULTS, **config)
        self.bert = BertModel(self.config)
        self.cls = BertOnlyMLMHead(self.config, self.bert.embeddings.word_embeddings)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        # BERT initialization: N(0, initializer_range) weights, zero biases, unit LayerNorm.
        std = self.config["initializer_range"]
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(0.0, std)
            module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(0.0, std)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.weight.data.fill_(1.0)
            module.bias.data.zero_()

    def hf_state_dict(self):
        """Return parameters under transformers' names, without the tied decoder weight.

        transformers' BertForMaskedLM re-ties cls.predictions.decoder.weight to
        bert.embeddings.word_embeddings.weight when it is absent, as it does
        for checkpoints it saves itself.
        """
        state = {}
        for name, tensor in self.state_dict().items():
            if name == "cls.predictions.word_embeddings.weight":
                continue  # alias of the tied embedding matrix
            state[name] = tensor.detach().float().contiguous()
        return state

    def load_hf_state_dict(self, state):
        """Load parameters named as in transformers; a stored decoder weight must equal the embeddings."""
        state = dict(state)
        decoder = state.pop("cls.predictions.decoder.weight", None)
        state.pop("cls.predictions.decoder.bias", None)
        if decoder is not None and not torch.equal(decoder, state["bert.embeddings.word_embeddings.weight"]):
            raise ValueError("cls.predictions.decoder.weight differs from the word embeddings; this model requires tied weights")
        state["cls.predictions.word_embeddings.weight"] = state["bert.embeddings.word_embeddings.weight"]
        self.load_state_dict(state, strict=True)

    def forward(self, input_ids, attention_mask, labels=None):
        """Return (loss, logits at labelled positions, labels there) or full logits without labels.

        With labels (batch, seq; -100 = not predicted), logits are computed only at
        the masked positions, which saves the vocab-sized projection elsewhere.
        """
        hidden = self.bert(input_ids, attention_mask)
        if labels is None:
            return self.cls.predictions(hidden)
        selected = labels != -100
        logits = self.cls.predictions(hidden[selected])
        targets = labels[selected]
        return F.cross_entropy(logits, targets), logits, targets
