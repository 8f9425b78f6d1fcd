#!/usr/bin/env python3
"""Side-by-side timings that load cannot fool (issue 16): the one place the measurement rule lives.

Every side is a command that prints one JSON line with "images_per_s" (its own in-process wall figure) and, where a
step is not --batch images, "images_per_step"; it takes its step count from "{steps}", or from "{steps*N}" to run N of
its steps per step of the others (a side with short steps then runs long enough for its CPU time to count). Before every run the 1-minute load average must be below --quiet-load (it waits up to
--wait seconds, then refuses with exit 3); the sides run interleaved, round after round, until the last two rounds
agree within --agree for every side (at most --max-rounds; a table that never agreed says so). CPU time per image
comes from the children's rusage of a run with S steps and one with 3S steps, so process start, imports and data
generation cancel out: images per CPU-second = 2 S B / (cpu(3S) - cpu(S)).

usage: side_by_side.py --batch B --steps S --side NAME=CMD [--side NAME=CMD ...] [--raw FILE.jsonl]
       side_by_side.py --wait-quiet [--quiet-load L] [--wait SECONDS]   (the rule alone; prints the load average)
Prints a markdown table (median of the agreeing rounds; ratios against the first side) and writes raw rows.
"""
import argparse, json, os, re, resource, shlex, statistics, subprocess, sys, time


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def wait_quiet(limit, wait):
    start = time.time()
    while (load := load1()) >= limit:
        if time.time() - start > wait:
            print(f"side_by_side: the machine is not quiet (load average {load:.2f} >= {limit} for {wait} s); "
                  "stop other work (studies, builds) and run again", file=sys.stderr)
            sys.exit(3)
        time.sleep(10)
    return load


STEPS_TIMES = re.compile(r"\{steps\*(\d+)\}")


def step_multiple(cmd):
    """N where the command takes "{steps*N}" (N of its own steps per step of the run), else 1."""
    m = STEPS_TIMES.search(cmd)
    return int(m.group(1)) if m else 1


def run(cmd, steps):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = STEPS_TIMES.sub(lambda m: str(steps * int(m.group(1))), cmd.replace("{steps}", str(steps)))
    out = subprocess.run(shlex.split(cmd), check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    row = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
    return row, cpu


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--side", action="append", help="NAME=COMMAND with {steps}")
    p.add_argument("--batch", type=int)
    p.add_argument("--steps", type=int)
    p.add_argument("--quiet-load", type=float, default=0.5)
    p.add_argument("--wait", type=float, default=600)
    p.add_argument("--wait-quiet", action="store_true",
                   help="only apply the quiet-machine rule (for scripts that time other things): print the load average, exit")
    p.add_argument("--agree", type=float, default=0.10)
    p.add_argument("--min-rounds", type=int, default=2)
    p.add_argument("--max-rounds", type=int, default=6)
    p.add_argument("--raw")
    p.add_argument("--title", default="")
    a = p.parse_args()
    if a.wait_quiet:
        print(f"{wait_quiet(a.quiet_load, a.wait):.2f}")
        return
    if not (a.side and a.batch and a.steps):
        p.error("--side, --batch and --steps are required")
    sides = [s.split("=", 1) for s in a.side]
    rounds = {name: [] for name, _ in sides}
    raw = open(a.raw, "a") if a.raw else None
    core = os.environ.get("OPENBLAS_CORETYPE", "auto")
    agreed = False
    for r in range(a.max_rounds):
        # Alternate the order so neither side always runs first after the wait.
        for name, cmd in (sides if r % 2 == 0 else sides[::-1]):
            load = wait_quiet(a.quiet_load, a.wait)
            row, cpu1 = run(cmd, a.steps)
            row3, cpu3 = run(cmd, 3 * a.steps)
            # A side may count its own images per step (a path evaluation scores 2,000 images per step).
            per_cpu = 2 * a.steps * step_multiple(cmd) * row3.get("images_per_step", a.batch) / max(cpu3 - cpu1, 1e-9)
            rec = {"side": name, "round": r, "load1": load, "openblas_coretype": core, "images_per_s": row3["images_per_s"],
                   "images_per_cpu_s": per_cpu, "cpu_s_S": cpu1, "cpu_s_3S": cpu3, "steps": a.steps, "batch": a.batch, "run": row3}
            rounds[name].append(rec)
            if raw:
                raw.write(json.dumps(rec) + "\n"); raw.flush()
            print(json.dumps({k: rec[k] for k in ("side", "round", "load1", "images_per_s", "images_per_cpu_s")}), file=sys.stderr)
        if r + 1 >= a.min_rounds:
            def close(x, y): return abs(x - y) <= a.agree * max(x, y)
            agreed = all(close(v[-1]["images_per_s"], v[-2]["images_per_s"]) and close(v[-1]["images_per_cpu_s"], v[-2]["images_per_cpu_s"])
                         for v in rounds.values())
            if agreed:
                break
    first = sides[0][0]
    med = {n: (statistics.median(x["images_per_s"] for x in v[-2:]), statistics.median(x["images_per_cpu_s"] for x in v[-2:]))
           for n, v in rounds.items()}
    loads = [x["load1"] for v in rounds.values() for x in v]
    print(f"\n{a.title} batch {a.batch}, OPENBLAS_CORETYPE={core}, load average before runs {min(loads):.2f}-{max(loads):.2f}, "
          f"{len(rounds[first])} rounds ({'last two agree within ' + str(int(a.agree * 100)) + ' %' if agreed else 'DID NOT AGREE: not a result'})\n")
    print(f"| side | images/s | images per CPU-second | vs {first} (wall) | vs {first} (per CPU-s) |")
    print("|---|---|---|---|---|")
    for n, (w, c) in med.items():
        print(f"| {n} | {w:.1f} | {c:.1f} | {w / med[first][0]:.2f}x | {c / med[first][1]:.2f}x |")
    sys.exit(0 if agreed else 4)


if __name__ == "__main__":
    main()
