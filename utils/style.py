"""Style transfer: pictures that ship with scikit-image, and the convnets whose features the losses compare.

A feature extractor takes images in [0, 1] and returns a dict {layer name: activations}. It also names the
layers a style transfer should use (`content_layers`, `style_layers`). `style_backbone()` picks one and says
which: VGG19's ImageNet features when their weights are on this machine, else the course's own trained convnet.
"""
import math
from pathlib import Path

import torch
from torch import nn

from .backbone import CIFAR_STATS, IMAGENET_STATS, Normalize, load_course_backbone

# torchvision's vgg19().features: index of each ReLU -> the layer name used by Gatys et al. (2016).
VGG19_LAYERS = {1: "relu1_1", 3: "relu1_2", 6: "relu2_1", 8: "relu2_2", 11: "relu3_1", 13: "relu3_2",
                15: "relu3_3", 17: "relu3_4", 20: "relu4_1", 22: "relu4_2", 24: "relu4_3", 26: "relu4_4",
                29: "relu5_1"}


def load_picture(name: str, size: int) -> torch.Tensor:
    """A colour picture from skimage.data (e.g. 'chelsea'), centre-cropped square: (1, 3, size, size) in [0, 1]."""
    import skimage.data

    array = getattr(skimage.data, name)()
    if array.ndim == 2:
        array = array[:, :, None].repeat(3, axis=2)
    image = torch.from_numpy(array[:, :, :3].copy()).permute(2, 0, 1).float() / 255
    height, width = image.shape[1:]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    image = image[:, top:top + side, left:left + side]
    resized = nn.functional.interpolate(image[None], size=(size, size), mode="bilinear", antialias=True,
                                        align_corners=False)
    return resized.clamp(0, 1)


def wave_painting(size: int) -> torch.Tensor:
    """A colourful picture of wavy stripes, made by code: (1, 3, size, size) in [0, 1]."""
    y, x = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    across = torch.sin(2 * math.pi * (6 * x + 1.5 * torch.sin(2 * math.pi * 2 * y)))
    down = torch.sin(2 * math.pi * (5 * y + torch.sin(2 * math.pi * 3 * x)))
    red, green, blue = 0.5 + 0.5 * across, 0.5 + 0.5 * down * across, 0.5 - 0.5 * down
    return torch.stack([red, green, blue])[None]


class FeatureExtractor(nn.Module):
    """A frozen nn.Sequential run on images in [0, 1]; forward returns {name: activations} of its named layers."""

    def __init__(self, body: nn.Sequential, layer_names: dict[int, str], content_layers: list[str],
                 style_layers: list[str], mean: tuple[float, ...] = IMAGENET_STATS[0],
                 std: tuple[float, ...] = IMAGENET_STATS[1]) -> None:
        super().__init__()
        self.body = body.eval().requires_grad_(False)
        self.layer_names = dict(layer_names)
        self.content_layers, self.style_layers = list(content_layers), list(style_layers)
        self.normalize = Normalize(mean, std)

    def forward(self, image: torch.Tensor, layers: list[str] | None = None) -> dict[str, torch.Tensor]:
        """Activations of `layers` (default: the content and style layers); stops after the last one needed."""
        wanted = set(layers if layers is not None else self.content_layers + self.style_layers)
        unknown = wanted - set(self.layer_names.values())
        if unknown:
            raise KeyError(f"unknown layers {sorted(unknown)}; this extractor has {list(self.layer_names.values())}")
        X, features = self.normalize(image), {}
        for index, layer in enumerate(self.body):
            X = layer(X)
            if self.layer_names.get(index) in wanted:
                features[self.layer_names[index]] = X
                if len(features) == len(wanted):
                    break
        return features


def _average_pooling(body: nn.Sequential) -> nn.Sequential:
    """The same layers with max-pooling replaced by 2x2 average pooling and ReLUs made not in-place."""
    swap = {nn.MaxPool2d: lambda layer: nn.AvgPool2d(2), nn.ReLU: lambda layer: nn.ReLU()}
    return nn.Sequential(*[swap.get(type(layer), lambda layer: layer)(layer) for layer in body])


def vgg19_weights_path() -> Path:
    """Where torchvision keeps VGG19's ImageNet weights once downloaded (the file may not exist)."""
    import torchvision

    filename = Path(torchvision.models.VGG19_Weights.IMAGENET1K_V1.url).name
    return Path(torch.hub.get_dir()) / "checkpoints" / filename


def vgg19_features(download: bool = False) -> FeatureExtractor:
    """VGG19's ImageNet features up to relu5_1 (Gatys et al.'s layers, average pooling); FileNotFoundError if absent."""
    if not download and not vgg19_weights_path().exists():
        raise FileNotFoundError(f"VGG19's ImageNet weights are not cached at {vgg19_weights_path()}")
    import torchvision

    vgg = torchvision.models.vgg19(weights=torchvision.models.VGG19_Weights.IMAGENET1K_V1)
    return FeatureExtractor(_average_pooling(vgg.features[:30]), VGG19_LAYERS, content_layers=["relu4_2"],
                            style_layers=["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"])


def random_features(seed: int = 0, widths: tuple[int, ...] = (32, 64, 128, 256)) -> FeatureExtractor:
    """A VGG-shaped convnet with random weights: per block two 3x3 conv+ReLU, then 2x2 average pooling."""
    generator = torch.Generator().manual_seed(seed)
    layers, names, channels = [], {}, 3
    for block, width in enumerate(widths, start=1):
        for position in (1, 2):
            conv = nn.Conv2d(channels, width, kernel_size=3, padding=1, padding_mode="reflect")
            with torch.no_grad():  # He initialization keeps the activations' scale from layer to layer
                conv.weight.normal_(0, math.sqrt(2 / (channels * 9)), generator=generator)
                conv.bias.zero_()
            layers += [conv, nn.ReLU()]
            names[len(layers) - 1] = f"relu{block}_{position}"
            channels = width
        if block < len(widths):
            layers.append(nn.AvgPool2d(2))
    return FeatureExtractor(nn.Sequential(*layers), names, content_layers=[f"relu{len(widths) - 1}_2"],
                            style_layers=[f"relu{block}_1" for block in range(1, len(widths) + 1)])


def course_features() -> tuple[FeatureExtractor, str]:
    """The course's CIFAR-10 convnet (pretrained/cifar8_convnet.pt) as a feature extractor, and where it came from."""
    model, log = load_course_backbone()
    layers, names = [], {}
    for block_number, block in enumerate(list(model.features)[1:], start=1):  # [0] is its own Normalize
        for layer in block:
            layers.append(layer)
            if isinstance(layer, nn.ReLU):
                names[len(layers) - 1] = f"relu{block_number}"
    body = _average_pooling(nn.Sequential(*layers)).float()
    extractor = FeatureExtractor(body, names, content_layers=["relu3"], style_layers=list(names.values()),
                                 mean=CIFAR_STATS[0], std=CIFAR_STATS[1])
    accuracy = log.get("test_accuracy") if isinstance(log, dict) else None
    detail = f", {accuracy:.1%} on its source task" if isinstance(accuracy, float) else ""
    return extractor, f"the course's CIFAR-10 convnet (trained on 8 classes{detail})"


def style_backbone(download: bool = False) -> tuple[FeatureExtractor, str]:
    """VGG19's ImageNet features if cached (or downloaded when download=True), else the course's convnet; and which."""
    try:
        return vgg19_features(download=download), "VGG19, ImageNet weights (torchvision)"
    except (FileNotFoundError, OSError, RuntimeError) as error:
        print(f"VGG19 ImageNet weights unavailable ({error}); using the course's own trained convnet instead")
        return course_features()
