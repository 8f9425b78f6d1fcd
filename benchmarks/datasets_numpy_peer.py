"""Peer for benchmarks/datasets.sh: the NB201 reference's per-image pipeline (RandomCrop(32, padding=4),
RandomHorizontalFlip, ToTensor, Normalize) written with numpy, one image at a time as a torch DataLoader
worker runs it, plus a whole-batch vectorised numpy variant. Reads the same binary CIFAR-10 train files."""
import sys, time
import numpy as np

directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/nb201-cifar10/cifar-10-batches-bin"
try:
    raw = np.concatenate([np.fromfile(f"{directory}/data_batch_{i}.bin", dtype=np.uint8).reshape(-1, 3073)
                          for i in range(1, 6)])
    images, source = raw[:, 1:].reshape(-1, 3, 32, 32), "real CIFAR-10"
except FileNotFoundError:
    images, source = np.random.default_rng(1).integers(0, 256, (50000, 3, 32, 32), dtype=np.uint8), "synthetic"
mean = np.array([125.3, 123.0, 113.9], dtype=np.float32).reshape(3, 1, 1) / 255
std = np.array([63.0, 62.1, 66.7], dtype=np.float32).reshape(3, 1, 1) / 255
rng = np.random.default_rng(0)

def per_image(img):
    padded = np.pad(img, ((0, 0), (4, 4), (4, 4)))
    i, j = rng.integers(0, 9, 2)
    out = padded[:, i:i + 32, j:j + 32]
    if rng.random() < 0.5:
        out = out[:, :, ::-1]
    return (out.astype(np.float32) / 255 - mean) / std

def batch_per_image(idx):
    return np.stack([per_image(images[k]) for k in idx])

def batch_vectorised(idx):
    n = len(idx)
    padded = np.pad(images[idx], ((0, 0), (0, 0), (4, 4), (4, 4)))
    i, j = rng.integers(0, 9, n), rng.integers(0, 9, n)
    rows = (i[:, None] + np.arange(32))[:, None, :, None]
    cols = (j[:, None] + np.arange(32))
    flip = rng.random(n) < 0.5
    cols = np.where(flip[:, None], cols[:, ::-1], cols)[:, None, None, :]
    out = padded[np.arange(n)[:, None, None, None], np.arange(3)[None, :, None, None], rows, cols]
    return (out.astype(np.float32) / 255 - mean) / std

order = rng.permutation(len(images))
for name, fn, count in [("numpy per image (DataLoader-style)", batch_per_image, 10240),
                        ("numpy vectorised per batch", batch_vectorised, 50000)]:
    t = time.perf_counter()
    done = 0
    for s in range(0, count, 256):
        done += len(fn(order[s:s + 256]))
    print(f"{name}: {done / (time.perf_counter() - t):.0f} images/s ({source}, batch 256, one thread)")
