"""Pretrained backbones: torchvision's ImageNet ResNet-18 where its weights can be had, else the course's own.

Both come as a `Backbone`: `model.features` is the convolutional body (an nn.Sequential that takes
images in [0, 1] and normalizes them itself; index or loop over it for intermediate feature maps) and
`model.classifier` the head (global average pooling, flatten, one nn.Linear). `pretrained_backbone()`
returns the model and a sentence naming where its weights came from. Nothing falls back to random weights:
without ImageNet weights and without the course checkpoint, it raises BackboneError.

The course's checkpoint (pretrained/cifar8_convnet.pt) is made by scripts/train_backbone.py (the training
recipe lives there): a small convnet trained on the 8 CIFAR-10 classes other than cat and dog, so that cat vs dog is a new task.
"""
import pickle
from pathlib import Path

import torch
from torch import nn

from .cifar import CIFAR10_CLASSES
from .config import pretrained_file

CHECKPOINT = pretrained_file("cifar8_convnet.pt")
UNREADABLE = (RuntimeError, EOFError, pickle.UnpicklingError, ValueError)  # what torch.load raises on a corrupt file
SOURCE_CLASSES = tuple(name for name in CIFAR10_CLASSES if name not in ("cat", "dog"))
CIFAR_STATS = ((0.491, 0.482, 0.447), (0.247, 0.243, 0.262))  # per-channel mean and std of CIFAR-10 pixels
IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


class BackboneError(RuntimeError):
    """No pretrained weights could be had; the message says how to get some."""


class Normalize(nn.Module):
    """Standardize images in [0, 1] channel by channel: (X - mean) / std."""

    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...]):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(-1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(-1, 1, 1))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return (X - self.mean) / self.std


class Backbone(nn.Module):
    """A convnet in two parts: `features` (the convolutional body) and `classifier` (the head)."""

    def __init__(self, features: nn.Sequential, classifier: nn.Sequential):
        super().__init__()
        self.features = features
        self.classifier = classifier

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(X))


def _block(in_channels: int, out_channels: int) -> nn.Sequential:
    """3x3 convolution, batch normalization, ReLU, 2x2 max-pooling: halves the width."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True), nn.MaxPool2d(2))


def course_convnet(num_classes: int = len(SOURCE_CLASSES)) -> Backbone:
    """The course's small convnet for 32x32 RGB images (random weights): 4 blocks of 16-32-64-128 channels."""
    features = nn.Sequential(Normalize(*CIFAR_STATS), _block(3, 16), _block(16, 32), _block(32, 64), _block(64, 128))
    classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, num_classes))
    return Backbone(features, classifier)


def _imagenet_resnet18() -> Backbone:
    """torchvision's ResNet-18 with ImageNet weights (from the cache, or downloaded), as a Backbone."""
    import torchvision

    weights = torchvision.models.ResNet18_Weights.IMAGENET1K_V1
    resnet = torchvision.models.resnet18()
    resnet.load_state_dict(weights.get_state_dict(progress=True))
    features = nn.Sequential(Normalize(*IMAGENET_STATS), resnet.conv1, resnet.bn1, resnet.relu, resnet.maxpool,
                             resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4)
    return Backbone(features, nn.Sequential(resnet.avgpool, nn.Flatten(), resnet.fc))


def _first_line(error: BaseException) -> str:
    """'RuntimeError: the first line of its message'."""
    return f"{error.__class__.__name__}: {(str(error).strip().splitlines() or [''])[0]}"


def _imagenet_cache_file() -> Path:
    """Where torchvision keeps the ImageNet ResNet-18 weights it downloaded."""
    import torchvision

    url = torchvision.models.ResNet18_Weights.IMAGENET1K_V1.url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def _why_not_imagenet(error: BaseException) -> str:
    """The start of the sentence that says why the ImageNet weights could not be had."""
    cached = _imagenet_cache_file()
    if cached.exists():  # torch.hub downloads to a temporary file: what is here was complete once, and is now damaged
        return f"the cached ImageNet weights are unreadable ({_first_line(error)}), delete {cached} to download them again; "
    return f"ImageNet weights unavailable ({_first_line(error)}); "


def load_course_backbone(path: str | Path = CHECKPOINT) -> tuple[Backbone, dict]:
    """The course convnet with the weights of a checkpoint saved by scripts/train_backbone.py, and its record."""
    path = Path(path)
    if not path.exists():
        raise BackboneError(f"no course checkpoint at {path}: restore it (`git checkout pretrained/`, or reinstall "
                            "the course) or make one with `python scripts/train_backbone.py`")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except UNREADABLE as error:
        raise BackboneError(f"the course checkpoint {path} is unreadable ({_first_line(error)}): restore it with "
                            "`git checkout pretrained/` or make a new one with `python scripts/train_backbone.py`") from error
    model = course_convnet(len(state["classes"]))
    model.load_state_dict({name: tensor.float() for name, tensor in state["model"].items()})
    return model, {key: value for key, value in state.items() if key != "model"}


def pretrained_backbone(imagenet: bool = True, path: str | Path = CHECKPOINT) -> tuple[Backbone, str]:
    """A pretrained Backbone in eval mode and where its weights came from: ImageNet ResNet-18 if it can be had, else the course's."""
    if imagenet:
        try:
            model = _imagenet_resnet18()
            return model.eval(), "torchvision ResNet-18, ImageNet weights (IMAGENET1K_V1)"
        except (OSError, *UNREADABLE) as error:  # no network and nothing cached, or a corrupt cached file
            reason = _why_not_imagenet(error)
    else:
        reason = ""
    model, record = load_course_backbone(path)
    return model.eval(), (f"{reason}the course's convnet pretrained on {len(record['classes'])} CIFAR-10 classes "
                          f"({Path(path).name}, source test accuracy {record['test_accuracy']:.1%})")
