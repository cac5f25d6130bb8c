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
from utils.backbone import CHECKPOINT, SOURCE_CLASSES, Backbone  # noqa: E402


def train_course_backbone(num_epochs: int = 6, batch_size: int = 128, learning_rate: float = 0.05,
                          device: torch.device | str = "cpu", progress: bool = True) -> tuple[Backbone, dict]:
    """Train course_convnet on the 8 source classes (SGD, cosine schedule, flips and crops); return it and its record."""
    X_train, y_train = utils.load_cifar10("train", SOURCE_CLASSES)
    X_test, y_test = utils.load_cifar10("test", SOURCE_CLASSES)
    model = utils.course_convnet(len(SOURCE_CLASSES)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, num_epochs)
    started = time.perf_counter()
    test_loader = utils.TensorLoader(X_test, y_test, 1000, shuffle=False, device=device)
    history = utils.fit(model, utils.TensorLoader(X_train, y_train, batch_size, device=device, transform=utils.augment),
                        optimizer, num_epochs, scheduler=scheduler, val_loader=test_loader, progress=progress)
    with torch.no_grad():  # the checkpoint stores float16: measure the accuracy of the weights as they will be saved
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(tensor.half().float())
    test_accuracy = utils.evaluate(model, test_loader)["accuracy"]
    record = {"classes": list(SOURCE_CLASSES), "test_accuracy": test_accuracy, "history": history.columns,
              "seconds": time.perf_counter() - started, "device": str(device), "torch": str(torch.__version__),
              "settings": {"num_epochs": num_epochs, "batch_size": batch_size, "learning_rate": learning_rate}}
    return model.cpu().eval(), record


def save_course_backbone(model: Backbone, record: dict, path: str | Path = CHECKPOINT) -> None:
    """Save the weights in float16 with the training record (classes, test accuracy, history, settings)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"model": {name: tensor.half() if tensor.is_floating_point() else tensor
                       for name, tensor in model.state_dict().items()}, **record}
    torch.save(state, path)


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
    device = utils.start(args.seed)
    print(f"writing {args.output}")
    started = time.perf_counter()
    model, record = train_course_backbone(args.epochs, args.batch_size, args.learning_rate, device=device)
    record["command"] = " ".join(["python", "scripts/train_backbone.py", *sys.argv[1:]])
    record["device"] = utils.describe_device(device)
    record["seed"] = args.seed
    save_course_backbone(model, record, args.output)
    args.output.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"source test accuracy {record['test_accuracy']:.2%} on {len(record['classes'])} classes; "
          f"{time.perf_counter() - started:.0f} s in all; {args.output.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
