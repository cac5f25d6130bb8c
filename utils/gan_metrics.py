"""Judging generated samples offline: a Fréchet distance in the features of a classifier we train ourselves.

The usual "FID" measures the Fréchet distance between Gaussians fitted to Inception-v3 features of real
and generated images (Heusel et al., 2017). Inception weights cannot be downloaded offline, and they were
trained on photos, not on 28x28 digits; so the course trains a small classifier on the same data set and
uses its penultimate layer instead. The numbers compare runs of this course, not papers' FID values.
"""
from pathlib import Path

import torch
from torch import nn

from .backbone import UNREADABLE
from .config import pretrained_file
from .data import TensorLoader
from .train import fit

FEATURE_NET_CHECKPOINT = pretrained_file("mnist_feature_net.pt")


class FeatureNet(nn.Module):
    """A small convnet classifier for 1x28x28 images; `features(X)` gives its penultimate layer."""

    def __init__(self, num_features: int = 64, num_classes: int = 10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 16 x 14 x 14
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 32 x 7 x 7
            nn.Flatten(), nn.Linear(32 * 7 * 7, num_features), nn.ReLU(),
        )
        self.head = nn.Linear(num_features, num_classes)

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """The penultimate layer's activations, (N, num_features)."""
        return self.body(X)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Class scores (logits), (N, num_classes)."""
        return self.head(self.body(X))


def train_feature_net(X: torch.Tensor, y: torch.Tensor, num_epochs: int = 2, batch_size: int = 128,
                      learning_rate: float = 1e-3, device: torch.device | str = "cpu") -> FeatureNet:
    """Train a FeatureNet on images X and labels y with Adam; return it in eval mode on `device`."""
    model = FeatureNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    fit(model, TensorLoader(X, y, batch_size, device=device), optimizer, num_epochs, progress=False)
    return model.eval()


def load_feature_net(path: str | Path = FEATURE_NET_CHECKPOINT,
                     device: torch.device | str = "cpu") -> tuple[FeatureNet, dict]:
    """The course's MNIST judge (made by scripts/train_feature_net.py) in eval mode on `device`, and its record."""
    path = Path(path)
    remedy = "restore it (`git checkout pretrained/`, or reinstall the course) or make one with " \
             "`python scripts/train_feature_net.py`"
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(f"no MNIST judge at {path}: {remedy}") from None
    except UNREADABLE as error:
        raise RuntimeError(f"the MNIST judge {path} is unreadable ({str(error).splitlines()[0]}): {remedy}") from error
    model = FeatureNet()
    model.load_state_dict({name: tensor.float() for name, tensor in state.pop("model").items()})
    return model.to(device).eval(), state


@torch.no_grad()
def extract_features(model: FeatureNet, X: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """model.features of all of X, in batches, without gradients and in eval mode, on the CPU."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    features = torch.cat([model.features(batch.to(device)).cpu() for batch in X.split(batch_size)])
    model.train(was_training)
    return features


def gaussian_frechet_distance(mean_a: torch.Tensor, cov_a: torch.Tensor,
                              mean_b: torch.Tensor, cov_b: torch.Tensor) -> float:
    """Squared Fréchet distance of N(mean_a, cov_a) and N(mean_b, cov_b): |ma - mb|^2 + tr(A + B - 2 (A B)^1/2)."""
    mean_a, cov_a, mean_b, cov_b = (t.cpu().double() for t in (mean_a, cov_a, mean_b, cov_b))  # MPS has no float64
    values, vectors = torch.linalg.eigh(cov_a)
    sqrt_a = vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T
    middle = sqrt_a @ cov_b @ sqrt_a                    # symmetric, same eigenvalues as A B
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    distance = (mean_a - mean_b).square().sum() + cov_a.trace() + cov_b.trace() - 2 * trace_sqrt
    return max(distance.item(), 0.0)


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """Squared Fréchet distance between Gaussians fitted (mean, covariance) to two sets of feature rows."""
    rows = [f.detach().cpu().double() for f in (features_a, features_b)]   # float64 on the CPU: MPS has none
    stats = [(f.mean(dim=0), torch.cov(f.T).reshape(f.shape[1], f.shape[1])) for f in rows]
    return gaussian_frechet_distance(*stats[0], *stats[1])


def label_entropy(logits: torch.Tensor) -> float:
    """Entropy in bits of the mean predicted class distribution: log2(10) = 3.32 when all 10 classes are equally common."""
    mean_probs = logits.detach().cpu().double().softmax(dim=1).mean(dim=0)   # float64 on the CPU: MPS has none
    return -(mean_probs * mean_probs.clamp(min=1e-300).log2()).sum().item()

