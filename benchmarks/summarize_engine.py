"""Reads engine_vs_torch.sh's JSON lines (stdin) and prints a Markdown table: best images/s of each
engine variant and of PyTorch per (coretype, C, N, batch, mode), and the engine's best over PyTorch's best."""
import json, sys
from collections import defaultdict

best = defaultdict(dict)
kernels = []
variants = set()  # convolution kernels of the own-threads runs (older lines carry none: the CPU's best)
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    if d["mode"] == "kernels":
        kernels.append(d)
        continue
    key = (d["coretype"], d["C"], d["N"], d["batch"], d["mode"])
    if "peer" in d:
        who = "torch"
    elif d["threading"] == "split":
        variants.add(d.get("kernels", "best"))
        who = "split-" + d.get("kernels", "best")
    else:
        who = "blas"
    best[key][who] = max(best[key].get(who, 0), d["images_per_s"])

order = ["avx512", "avx2", "im2col", "best"]
variants = sorted(variants, key=lambda v: order.index(v) if v in order else len(order))
split_columns = [f"engine, own threads, {v} kernels (img/s)" for v in variants]
ratio_columns = [f"{v} / PyTorch" for v in variants] if len(variants) > 1 else []
header = ["OPENBLAS_CORETYPE", "C", "N", "batch", "mode", *split_columns, "engine, OpenBLAS threads (img/s)",
          "PyTorch (img/s)", "best engine / PyTorch", *ratio_columns]
print("| " + " | ".join(header) + " |")
print("|" + "---|" * len(header))
for key in sorted(best, key=lambda k: (k[0], -k[1], -k[2], -k[3], k[4])):
    b = best[key]
    torch = b.get("torch", 0)
    engine = max([b.get("blas", 0)] + [b.get("split-" + v, 0) for v in variants])
    ratio = lambda x: f"{x / torch:.2f}x" if torch else "n/a"
    cells = [key[0], key[1], key[2], key[3], key[4], *[f"{b.get('split-' + v, 0):.1f}" for v in variants],
             f"{b.get('blas', 0):.1f}", f"{torch:.1f}", ratio(engine),
             *([ratio(b.get("split-" + v, 0)) for v in variants] if ratio_columns else [])]
    print("| " + " | ".join(str(c) for c in cells) + " |")

if kernels:
    print()
    print("Convolutions of the network (batch 64, own threads): GFLOP/s of forward and backward (input + weight")
    print("gradients, 2x the forward's FLOPs) as the engine runs them (`kernels`: the direct kernels for AVX2 or AVX-512VL, or im2col), the same")
    print("through im2col + sgemm, and the bare per-image sgemm of the forward's shape on a ready-made column matrix.")
    print("One core's FMA peak is about 115 GFLOP/s (AVX2), 230 on both.")
    print()
    print("| OPENBLAS_CORETYPE | conv | kernels | forward | backward | im2col + sgemm forward | im2col + sgemm backward | sgemm M x N x K per image | sgemm alone |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d in kernels:
        print(f"| {d['coretype']} | {d['conv']} | {d.get('conv_kernels', d.get('kernels', 'im2col'))} | {d['forward_gflops']:.1f} | {d['backward_gflops']:.1f} | "
              f"{d.get('im2col_forward_gflops', float('nan')):.1f} | {d.get('im2col_backward_gflops', float('nan')):.1f} | {d['gemm_MxNxK']} | {d['sgemm_gflops']:.1f} |")
