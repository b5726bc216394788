"""The article's MLP in PyTorch on the CPU, for scripts/bench.sh (system g).

784 -> 128 ReLU -> 10, mean softmax cross-entropy on the logits, torch.optim.Adam
(lr 0.001, betas 0.9/0.999, eps 1e-8), batch 64, a fresh shuffle per epoch, on the app's
gzip IDX files. The data are float32 tensors in memory; each step indexes its batch.
Prints one JSON line per epoch and a summary line with the device.
"""

import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch


def read_idx(path):
    """Reads a plain or gzip IDX file (big-endian header) into a uint8 numpy array."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    if magic == 2049:
        return np.frombuffer(raw, dtype=np.uint8, offset=8)
    raise ValueError(f"{path}: unknown IDX magic {magic}")


def load(data_dir, images, labels):
    x = torch.from_numpy(read_idx(os.path.join(data_dir, images)).astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx(os.path.join(data_dir, labels)).astype(np.int64))
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="public/data")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    torch.manual_seed(2024)
    torch.set_num_threads(args.threads)
    x_train, y_train = load(args.data, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
    x_test, y_test = load(args.data, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

    # nn.Linear's own initialisation is the app's: uniform in +-1/sqrt(fan_in).
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(1998)
    batch = 64

    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(x_train), generator=generator)
        started = time.perf_counter()
        model.train()
        for start in range(0, len(order), batch):
            index = order[start : start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[index]), y_train[index])
            loss.backward()
            optimizer.step()
        train_time = time.perf_counter() - started
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
        print(
            json.dumps(
                {
                    "epoch": epoch,
                    "samples": len(x_train),
                    "train_time_s": train_time,
                    "samples_per_s": len(x_train) / train_time,
                    "test_accuracy": accuracy,
                }
            ),
            flush=True,
        )

    print(
        json.dumps(
            {
                "device": f"cpu (PyTorch {torch.__version__}, {torch.get_num_threads()} threads)",
                "notes": "torch.optim.Adam, nn.CrossEntropyLoss, eager mode",
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
