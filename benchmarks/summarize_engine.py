"""Reads engine_vs_torch.sh's JSON lines (stdin) and prints a Markdown table: best images/s of each
engine variant and of PyTorch per (coretype, C, N, batch, mode), and the engine's best over PyTorch's best."""
import json, sys
from collections import defaultdict

best = defaultdict(dict)
kernels = []
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    if d["mode"] == "kernels":
        kernels.append(d)
        continue
    key = (d["coretype"], d["C"], d["N"], d["batch"], d["mode"])
    who = "torch" if "peer" in d else "engine-" + d["threading"]
    best[key][who] = max(best[key].get(who, 0), d["images_per_s"])

print("| OPENBLAS_CORETYPE | C | N | batch | mode | engine, own threads (img/s) | engine, OpenBLAS threads (img/s) | PyTorch (img/s) | best engine / PyTorch |")
print("|---|---|---|---|---|---|---|---|---|")
for key in sorted(best, key=lambda k: (k[0], -k[1], -k[2], -k[3], k[4])):
    b = best[key]
    eng = max(b.get("engine-split", 0), b.get("engine-blas", 0))
    ratio = eng / b["torch"] if b.get("torch") else float("nan")
    print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {key[4]} | {b.get('engine-split', 0):.1f} | {b.get('engine-blas', 0):.1f} | {b.get('torch', 0):.1f} | {ratio:.2f}x |")

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
        print(f"| {d['coretype']} | {d['conv']} | {d.get('kernels', 'im2col')} | {d['forward_gflops']:.1f} | {d['backward_gflops']:.1f} | "
              f"{d.get('im2col_forward_gflops', float('nan')):.1f} | {d.get('im2col_backward_gflops', float('nan')):.1f} | {d['gemm_MxNxK']} | {d['sgemm_gflops']:.1f} |")
