"""Writes data/fixtures/golden_nb201_small.bin: a small NB201 network's weights, input, and PyTorch's forward
outputs and gradients, for the Swift golden-value test (Tests/NetworksTests/GoldenValueTests.swift).

usage: $HOME/.cache/nb201-torch-venv/bin/python benchmarks/golden_nb201_fixture.py   (from the package root)
The network is ../shared/tools/torch_nb201.py's Net (the project's PyTorch peer), C=4, N=1, 8x8 input, 10 classes,
batch 4, on a cell that uses every op. BN affine weights are randomised so their gradients are non-trivial.

Format (little-endian): b"NB201FX1", uint32 entry count, then per entry: uint16 name length, UTF-8 name,
uint8 rank, uint32 dims[rank], float32 values[prod(dims)].
"""
import os, struct, sys
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
sys.path.insert(0, os.path.join(root, "..", "shared", "tools"))
import torch, torch.nn as nn
from torch_nb201 import Net, parse

ARCH = "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
C, N, RES, CLASSES, BATCH = 4, 1, 8, 10, 4

torch.manual_seed(201)
torch.set_num_threads(1)
net = Net(C, N, CLASSES, parse(ARCH)).double()  # reference computed in float64, stored as float32
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.3, 0.3)
    for p in net.parameters():  # round weights to float32 so both sides start from identical values
        p.copy_(p.float().double())
x = torch.randn(BATCH, 3, RES, RES).float().double()
y = torch.randint(0, CLASSES, (BATCH,))

entries = [("arch_ops", torch.tensor([["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"].index(o) for o in parse(ARCH)], dtype=torch.float64)),
           ("input", x), ("labels", y.double())]
entries += [("param:" + n, p.detach().clone()) for n, p in net.named_parameters()]

net.train()
logits = net(x)
loss = nn.functional.cross_entropy(logits, y)
loss.backward()
entries += [("logits", logits.detach()), ("loss", loss.detach().reshape(1))]
entries += [("grad:" + n, p.grad.detach().clone()) for n, p in net.named_parameters()]
bn_stats = [(n, m) for n, m in net.named_modules() if isinstance(m, nn.BatchNorm2d)]
entries += [("running_var:" + n, m.running_var.detach().clone()) for n, m in bn_stats]

# One optimiser step with NB201's recipe, then the same batch again in training mode.
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
opt.step()
entries.append(("logits_after_step", net(x).detach()))
net.eval()
with torch.no_grad():
    entries.append(("eval_logits_after_step", net(x)))

out = os.path.join(root, "data", "fixtures", "golden_nb201_small.bin")
with open(out, "wb") as f:
    f.write(b"NB201FX1"); f.write(struct.pack("<I", len(entries)))
    for name, t in entries:
        b = name.encode(); f.write(struct.pack("<H", len(b))); f.write(b)
        f.write(struct.pack("<B", t.dim())); f.write(struct.pack("<%dI" % t.dim(), *t.shape))
        f.write(t.float().contiguous().numpy().astype("<f4").tobytes())
print(out, os.path.getsize(out), "bytes,", len(entries), "entries, loss", loss.item())
