"""Read and write F32 safetensors files without the safetensors package.

Format (https://github.com/huggingface/safetensors, README "Format"):
8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON
mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
(byte offsets into the data section that follows the header), plus an optional
"__metadata__" string map. Tensor data is little-endian and row-major.
"""

import json
import struct

import numpy as np
import torch

# Header padding to a multiple of 8 bytes keeps the data section aligned,
# as the reference implementation does.
ALIGNMENT = 8


def write_safetensors(path, tensors, metadata=None):
    """Write a dict of name -> float32 torch tensor to path, tensors sorted by name."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        array = tensors[name].detach().cpu().contiguous().numpy()
        if array.dtype != np.float32:
            raise TypeError(f"tensor {name} has dtype {array.dtype}; only float32 (F32) is written")
        data = array.astype("<f4", copy=False).tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = dict(metadata or {"format": "pt"})
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % ALIGNMENT)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(header_bytes)))
        handle.write(header_bytes)
        for data in chunks:
            handle.write(data)


def read_safetensors(path):
    """Return (dict of name -> float32 torch tensor, metadata dict) read from path.

    Raises ValueError on a malformed header, a non-F32 dtype, or offsets that do
    not tile the data section exactly.
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: file shorter than the 8-byte header length")
    (header_length,) = struct.unpack("<Q", raw[:8])
    if 8 + header_length > len(raw):
        raise ValueError(f"{path}: header length {header_length} exceeds file size {len(raw)}")
    header = json.loads(raw[8:8 + header_length].decode("utf-8"))
    data = raw[8 + header_length:]
    metadata = header.pop("__metadata__", {})

    tensors = {}
    spans = []
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}; only F32 is supported")
        begin, end = info["data_offsets"]
        expected = 4 * int(np.prod(info["shape"], dtype=np.int64))
        if end - begin != expected or end > len(data):
            raise ValueError(f"{path}: tensor {name} offsets {begin}..{end} do not match shape {info['shape']}")
        array = np.frombuffer(data, dtype="<f4", count=expected // 4, offset=begin).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.astype(np.float32))
        spans.append((begin, end))
    spans.sort()
    position = 0
    for begin, end in spans:
        if begin != position:
            raise ValueError(f"{path}: data section has a gap or overlap at byte {begin}")
        position = end
    if position != len(data):
        raise ValueError(f"{path}: data section has {len(data) - position} trailing bytes")
    return tensors, metadata
