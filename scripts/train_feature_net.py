"""Train the course's MNIST judge for lecture 06 and save it to pretrained/mnist_feature_net.pt (plus a readable log).

The judge is a `utils.FeatureNet` (a small convnet classifier) trained on the 60,000 MNIST training digits scaled to
[-1, 1], the range of the GAN's tanh. Lecture 06 measures every generator with it (Fréchet distance in its
penultimate features, label entropy, how often it is sure of a digit): one fixed instrument for every run and both
modes, as papers' FID uses one fixed Inception network. Run from the repository root:

    python scripts/train_feature_net.py              # 3 epochs, the committed checkpoint's settings
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import utils  # noqa: E402
from utils.gan_metrics import FEATURE_NET_CHECKPOINT  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--output", type=Path, default=FEATURE_NET_CHECKPOINT)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = utils.start(args.seed)
    started = time.perf_counter()
    X_train, y_train = utils.load_mnist("train", standardize=False)
    X_test, y_test = utils.load_mnist("test", standardize=False)
    settings = {"num_epochs": args.epochs, "batch_size": 128, "learning_rate": 1e-3}
    model = utils.train_feature_net(X_train * 2 - 1, y_train, **settings, device=device).cpu()
    with torch.no_grad():  # the checkpoint stores float16: measure the weights as they will be saved
        for tensor in model.state_dict().values():
            tensor.copy_(tensor.half().float())
        probabilities = utils.predict(model, X_test * 2 - 1).softmax(dim=1)
    record = {"input": "1x28x28 MNIST digits scaled to [-1, 1]",
              "test_accuracy": (probabilities.argmax(dim=1) == y_test).float().mean().item(),
              "test_sure_fraction": (probabilities.max(dim=1).values >= 0.9).float().mean().item(),
              "settings": {**settings, "optimizer": "Adam"},
              "seconds": time.perf_counter() - started, "device": utils.describe_device(device),
              "torch": str(torch.__version__), "seed": args.seed,
              "command": " ".join(["python", "scripts/train_feature_net.py", *sys.argv[1:]])}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": {name: tensor.half() for name, tensor in model.state_dict().items()}, **record}, args.output)
    args.output.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.output}: test accuracy {record['test_accuracy']:.2%}, sure (p >= 0.9) of "
          f"{record['test_sure_fraction']:.1%} of the test digits; {record['seconds']:.0f} s")


if __name__ == "__main__":
    main()
