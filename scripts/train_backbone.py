"""Train the course's pretrained backbone and save it to pretrained/cifar8_convnet.pt (plus a readable log).

The source task is CIFAR-10 without its cat and dog classes (8 classes, 40,000 training images), so
that lecture 04 can transfer to cat vs dog, a task the network has never seen. Run from the repository root:

    python scripts/train_backbone.py                 # 6 epochs, the committed checkpoint's settings
    python scripts/train_backbone.py --threads 1     # on a CPU that other jobs share
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import utils  # noqa: E402
from utils.backbone import CHECKPOINT, save_course_backbone, train_course_backbone  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--output", type=Path, default=CHECKPOINT)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    utils.set_seed(args.seed)
    device = utils.get_device()
    print(f"device: {utils.describe_device(device)}; writing {args.output}")
    started = time.perf_counter()
    model, record = train_course_backbone(args.epochs, args.batch_size, args.learning_rate, device=device)
    record["command"] = " ".join(["python", "scripts/train_backbone.py", *sys.argv[1:]])
    record["device"] = utils.describe_device(device)
    record["seed"] = args.seed
    save_course_backbone(model, record, args.output)
    log = {key: value for key, value in record.items()}
    args.output.with_suffix(".json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"source test accuracy {record['test_accuracy']:.2%} on {len(record['classes'])} classes; "
          f"{time.perf_counter() - started:.0f} s in all; {args.output.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
