"""PyTorch peer of `nb201 train-arch`: the NB201 recipe on the same CIFAR-10 binary files, for comparing learning curves.

Network: ../shared/tools/torch_nb201.py (the peer of the speed benchmarks). Recipe (../shared/design/NB201.md):
SGD lr 0.1, momentum 0.9, Nesterov, weight decay 5e-4 on every parameter, cosine to 0 per iteration over `--epochs`,
batch 256, random crop (4 px zero padding) + flip, NB201 normalisation. `--stop-after K` ends after K epochs (the
schedule still spans `--epochs`), so the first epochs of a long run can be compared in minutes.
usage: python benchmarks/train_arch_torch.py DATA_DIR [--C 16] [--N 5] [--epochs 12] [--stop-after K] [--threads 2]
       [--seed 0]
Prints one JSON line per epoch (train loss and accuracy, seconds) and, after the last scheduled epoch, the test accuracy.
"""
import argparse, json, math, os, sys, time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "tools"))
from torch_nb201 import Net, parse  # noqa: E402

MEAN = np.array([125.3, 123.0, 113.9], dtype=np.float32)
STD = np.array([63.0, 62.1, 66.7], dtype=np.float32)
BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def read_batches(directory, names):
    raw = np.concatenate([np.fromfile(os.path.join(directory, n), dtype=np.uint8).reshape(-1, 3073) for n in names])
    labels = raw[:, 0].astype(np.int64)
    images = raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32)
    return (images - MEAN[None, :, None, None]) / STD[None, :, None, None], labels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--arch", default=BEST)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--C", type=int, default=16)
    p.add_argument("--N", type=int, default=5)
    p.add_argument("--stop-after", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    train_x, train_y = read_batches(a.data, [f"data_batch_{i}.bin" for i in range(1, 6)])
    test_x, test_y = read_batches(a.data, ["test_batch.bin"])
    # Zero padding of the raw pixels is the normalised value of 0 after normalisation.
    padded = np.broadcast_to((-MEAN / STD)[None, :, None, None], (len(train_x), 3, 40, 40)).copy()
    padded[:, :, 4:36, 4:36] = train_x

    net = Net(a.C, a.N, 10, parse(a.arch))
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    batch, n = 256, len(train_x)
    steps = math.ceil(n / batch)
    total = a.epochs * steps
    last = a.stop_after or a.epochs
    print(json.dumps({"engine": "pytorch", "torch": torch.__version__, "threads": a.threads, "arch": a.arch, "C": a.C, "N": a.N,
                      "epochs": a.epochs, "stop_after": last, "train_images": n}), flush=True)
    for epoch in range(last):
        net.train()
        order = rng.permutation(n)
        loss_sum, correct, start = 0.0, 0, time.time()
        for s in range(steps):
            lr = 0.05 * (1 + math.cos(math.pi * (epoch * steps + s) / total))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = order[s * batch:(s + 1) * batch]
            dy, dx = rng.integers(0, 9, len(idx)), rng.integers(0, 9, len(idx))
            flip = rng.random(len(idx)) < 0.5
            crops = np.stack([padded[i, :, y:y + 32, x:x + 32] for i, y, x in zip(idx, dy, dx)])
            crops[flip] = crops[flip][..., ::-1]
            x, y = torch.from_numpy(np.ascontiguousarray(crops)), torch.from_numpy(train_y[idx])
            logits = net(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == y).sum().item()
        print(json.dumps({"epoch": epoch, "train_loss": loss_sum / n, "train_accuracy": 100 * correct / n,
                          "seconds": time.time() - start}), flush=True)
    if last == a.epochs:
        net.eval()
        correct, loss_sum = 0, 0.0
        with torch.no_grad():
            for s in range(0, len(test_x), 500):
                logits = net(torch.from_numpy(test_x[s:s + 500]))
                y = torch.from_numpy(test_y[s:s + 500])
                loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
                correct += (logits.argmax(1) == y).sum().item()
        print(json.dumps({"split": "ori-test", "accuracy": 100 * correct / len(test_x), "loss": loss_sum / len(test_x)}))


if __name__ == "__main__":
    main()
