#!/usr/bin/python3
"""Writes the kernel fixtures under tools/reference/fixtures/kernels/ from torch autograd (float64,
inputs rounded to float32). Run with Debian's interpreter: /usr/bin/python3 tools/reference/kernels.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from kernel_refs import activations, adapters, attention_adamw, linear, norm_losses  # noqa: E402
from kernel_refs import model_ops  # noqa: E402

GROUPS = [activations, adapters, linear, attention_adamw, norm_losses, model_ops]


def main():
    torch.set_grad_enabled(True)
    for group in GROUPS:
        group.write_all()


if __name__ == "__main__":
    main()
