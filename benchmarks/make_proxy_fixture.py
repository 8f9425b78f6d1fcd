"""Writes data/fixtures/proxies_golden.bin: three small NB201 networks' weights, one batch, and the five zero-cost
proxies computed by PyTorch from the reference definitions, for Tests/ProxiesTests/GoldenProxyTests.swift.

usage: $HOME/.cache/nb201-torch-venv/bin/python benchmarks/make_proxy_fixture.py   (from the package root)
Networks: ../shared/tools/torch_nb201.py's Net (the project's PyTorch peer), N=1, 8x8 input, 10 classes; weights
from PyTorch's default initialisation rounded to float32, the reference computed in float64. The proxy code
below follows Abdelfattah et al.'s zero-cost-nas (synflow, snip, grad_norm, jacob_cov) and Mellor et al.'s
naswot (nwot), written independently of the Swift code.

Format: as benchmarks/golden_nb201_fixture.py (b"NB201FX1", entries of name, shape, float32 values). Each
score is stored as "cellK:score:<proxy>" with shape [2]: the float64 split into a float32 high part and the
float32 remainder (value = hi + lo), so scores outside float32 range or precision survive.
"""
import copy, os, struct, sys
import numpy as np
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
sys.path.insert(0, os.path.join(root, "..", "shared", "tools"))
import torch, torch.nn as nn, torch.nn.functional as F
from torch_nb201 import Net, parse, OPS

CELLS = [  # (arch, C): every op; a dead edge (node 1 unreachable: a conv reads zeros); node 0 read by two convs
    ("|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 4),
    ("|none~0|+|skip_connect~0|nor_conv_3x3~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_3x3~2|", 5),
    ("|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|none~1|skip_connect~2|", 4),
]
RES, CLASSES, BATCH = 8, 10, 32

def weighted_layers(net):
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]

def snip_and_grad_norm(net, x, y):
    net = copy.deepcopy(net).train(); net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    snip = sum((m.weight * m.weight.grad).abs().sum().item() for m in weighted_layers(net))
    grad_norm = sum(m.weight.grad.norm().item() for m in weighted_layers(net))
    return snip, grad_norm

def synflow(net, x):
    net = copy.deepcopy(net)
    for parent in list(net.modules()):  # the reference's get_prunable_copy(bn=False): BatchNorm removed
        for name, child in parent.named_children():
            if isinstance(child, nn.BatchNorm2d): setattr(parent, name, nn.Identity())
    net = net.double().train()
    with torch.no_grad():
        for p in net.state_dict().values(): p.abs_()
    net.zero_grad()
    out = net(torch.ones((1,) + tuple(x.shape[1:]), dtype=torch.float64))
    out.sum().backward()
    return sum((m.weight * m.weight.grad).abs().sum().item() for m in weighted_layers(net))

def jacob_cov(net, x):
    net = copy.deepcopy(net).train(); net.zero_grad()
    x = x.clone().requires_grad_(True)
    y = net(x); y.backward(torch.ones_like(y))
    jacob = x.grad.reshape(x.shape[0], -1).numpy()
    v, _ = np.linalg.eig(np.corrcoef(jacob))
    k = 1e-5
    return float(-np.sum(np.log(v + k) + 1.0 / (v + k)).real)

def nwot(net, x):
    net = copy.deepcopy(net).train()
    K = np.zeros((x.shape[0], x.shape[0]))
    def hook(module, inp, out):
        nonlocal K
        c = (inp[0].reshape(inp[0].shape[0], -1) > 0).double()
        K += (c @ c.t() + (1 - c) @ (1 - c).t()).numpy()
    for m in net.modules():
        if isinstance(m, nn.ReLU): m.register_forward_hook(hook)
    with torch.no_grad(): net(x)
    return float(np.linalg.slogdet(K)[1])

torch.manual_seed(2021)
torch.set_num_threads(1)
x = torch.randn(BATCH, 3, RES, RES).float().double()
y = torch.randint(0, CLASSES, (BATCH,))
entries = [("input", x), ("labels", y.double())]
for k, (arch, C) in enumerate(CELLS):
    net = Net(C, 1, CLASSES, parse(arch)).double()
    with torch.no_grad():
        for p in net.parameters(): p.copy_(p.float().double())
    entries.append((f"cell{k}:arch_ops", torch.tensor([OPS.index(o) for o in parse(arch)], dtype=torch.float64)))
    entries.append((f"cell{k}:C", torch.tensor([C], dtype=torch.float64)))
    entries += [(f"cell{k}:param:{n}", p.detach().clone()) for n, p in net.named_parameters()]
    snip, gn = snip_and_grad_norm(net, x, y)
    scores = {"synflow": synflow(net, x), "snip": snip, "grad_norm": gn, "jacob_cov": jacob_cov(net, x), "nwot": nwot(net, x)}
    for name, v in scores.items():
        hi = np.float32(v); lo = np.float32(v - float(hi))
        entries.append((f"cell{k}:score:{name}", torch.tensor([float(hi), float(lo)], dtype=torch.float64)))
    print(arch, C, scores)

out = os.path.join(root, "data", "fixtures", "proxies_golden.bin")
with open(out, "wb") as f:
    f.write(b"NB201FX1"); f.write(struct.pack("<I", len(entries)))
    for name, t in entries:
        b = name.encode(); f.write(struct.pack("<H", len(b))); f.write(b)
        f.write(struct.pack("<B", t.dim())); f.write(struct.pack("<%dI" % t.dim(), *t.shape))
        f.write(t.float().contiguous().numpy().astype("<f4").tobytes())
print(out, os.path.getsize(out), "bytes,", len(entries), "entries")
