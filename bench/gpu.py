"""Every GPU measurement of issue 18 in one call, for the session that is lent a GPU: at most 8 minutes in all.

Runs, one after the other, each with its own time limit, and prints every output with the device line:
  1. bench.mnist_time_to_accuracy: the slides' recipe, the fast recipe, and the fast recipe with bf16 autocast,
     channels_last and cudnn.benchmark (goal: 99% in at most 1 s of training on one GPU, then 0.25 s);
  2. bench.speed_levers: each lever alone, torch.compile with CUDA graphs (mode "reduce-overhead") among them,
     so that the fast recipe's time with launch latency removed can be read from its steps per second;
  3. bench.train_loop_overhead and bench.batching: utils.fit's overhead, TensorLoader against DataLoader;
  4. bench.char_rnn for 3 epochs: the character model's throughput on cuDNN's LSTM;
  5. each lecture in full mode (COURSE_QUICK=0) with the time left, a lecture timed out reported as such.
Write what it prints into BENCHMARKS.md with the device named.

    python -m bench.gpu [--tiny] [--budget 480]      (--tiny: the same steps, seconds long, on the CPU;
                                                      of the lectures only the first, in quick mode)
"""
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import header, parse_args, pick_device

REPO = Path(__file__).resolve().parent.parent


def run(arguments: list[str], seconds: float, env: dict | None = None) -> str:
    """Run a command in the repository with a time limit; return a one-line verdict (its output is printed)."""
    started = time.perf_counter()
    try:
        result = subprocess.run(arguments, cwd=REPO, timeout=max(seconds, 1), env={**os.environ, **(env or {})},
                                capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return f"timed out after {seconds:.0f} s"
    print(result.stdout, result.stderr[-2000:] if result.returncode else "", sep="", flush=True)
    verdict = "ok" if result.returncode == 0 else f"failed (exit {result.returncode})"
    return f"{verdict} in {time.perf_counter() - started:.0f} s"


def main() -> None:
    def extra(parser):
        parser.add_argument("--budget", type=float, default=480.0, help="seconds for everything")

    args = parse_args(__doc__.splitlines()[0], extra)
    device = pick_device("cpu" if args.tiny else args.device)
    header("every GPU measurement of issue 18", device)
    if device.type != "cuda" and not args.tiny:
        raise SystemExit("bench.gpu needs a CUDA GPU (or --tiny, which runs each step briefly on the CPU)")
    deadline = time.perf_counter() + args.budget
    common = ["--device", device.type] + (["--tiny"] if args.tiny else [])
    steps = [
        ("mnist_time_to_accuracy", ["--recipes", "slides,fast,fast+bf16+cl+cudnn"], 120),
        ("speed_levers", [], 60),
        ("train_loop_overhead", [], 40),
        ("batching", [], 30),
        ("char_rnn", ["--epochs", "3"], 90),
    ]
    verdicts = {}
    for name, arguments, seconds in steps:
        left = deadline - time.perf_counter()
        limit = left if args.tiny else min(seconds, left)     # --tiny checks that each step runs, not how fast
        verdicts[name] = run([sys.executable, "-m", f"bench.{name}", *common, *arguments], limit)
    lectures = sorted(REPO.glob("lectures/*.ipynb"))
    for lecture in lectures[:1] if args.tiny else lectures:
        left = deadline - time.perf_counter()
        if left < 10:
            verdicts[lecture.stem] = "not run: the budget was spent"
            continue
        output = REPO / "build" / "gpu" / lecture.name
        output.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(lecture),
                   "--output", str(output), f"--ExecutePreprocessor.timeout={int(left)}"]
        verdicts[lecture.stem] = run(command, left, env={"COURSE_QUICK": "1" if args.tiny else "0"})
    print("# summary")
    for name, verdict in verdicts.items():
        print(f"{name:>30}: {verdict}")


if __name__ == "__main__":
    main()
