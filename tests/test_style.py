"""utils.style: pictures from scikit-image, the feature extractors and the choice between them."""
import pytest
import torch
from torch import nn

import utils
from utils import style


def test_load_picture_is_a_square_rgb_tensor_in_unit_range():
    image = utils.load_picture("chelsea", 48)
    assert image.shape == (1, 3, 48, 48) and image.dtype == torch.float32
    assert 0 <= image.min() and image.max() <= 1
    assert image.std() > 0.05, "a photograph, not a flat picture"


def test_load_picture_keeps_the_colours_of_the_photograph():
    coffee = utils.load_picture("coffee", 32).mean(dim=(0, 2, 3))
    assert coffee[0] > coffee[2], "the coffee picture is mostly red and brown, not blue"


def test_load_picture_turns_grayscale_into_three_equal_channels():
    image = utils.load_picture("camera", 16)
    assert image.shape == (1, 3, 16, 16)
    assert torch.equal(image[:, 0], image[:, 1]) and torch.equal(image[:, 1], image[:, 2])


def test_wave_painting_is_colourful_and_in_range():
    image = utils.wave_painting(40)
    assert image.shape == (1, 3, 40, 40) and 0 <= image.min() and image.max() <= 1
    assert image.std(dim=(0, 2, 3)).min() > 0.1, "every channel should vary"


def test_random_features_names_shapes_and_scales():
    extractor = utils.random_features(seed=0, widths=(8, 16, 32))
    assert extractor.style_layers == ["relu1_1", "relu2_1", "relu3_1"] and extractor.content_layers == ["relu2_2"]
    features = extractor(torch.rand(2, 3, 32, 32))
    assert set(features) == {"relu1_1", "relu2_1", "relu3_1", "relu2_2"}
    assert features["relu1_1"].shape == (2, 8, 32, 32)
    assert features["relu2_1"].shape == (2, 16, 16, 16)
    assert features["relu3_1"].shape == (2, 32, 8, 8)
    for name, value in features.items():
        assert 1e-2 < value.pow(2).mean().sqrt() < 1e2, f"{name}: He initialization should keep activations O(1)"


def test_random_features_are_frozen_and_repeatable_per_seed():
    first, again, other = (utils.random_features(seed=s, widths=(4, 8)) for s in (1, 1, 2))
    assert not any(p.requires_grad for p in first.parameters())
    X = torch.rand(1, 3, 16, 16)
    assert torch.equal(first(X)["relu2_1"], again(X)["relu2_1"])
    assert not torch.equal(first(X)["relu2_1"], other(X)["relu2_1"])


def test_features_pass_gradients_to_the_image():
    extractor = utils.random_features(widths=(4, 8))
    image = torch.rand(1, 3, 16, 16, requires_grad=True)
    extractor(image, ["relu2_1"])["relu2_1"].sum().backward()
    assert image.grad is not None and image.grad.abs().sum() > 0


def test_extractor_stops_early_and_rejects_unknown_layers():
    calls = []
    body = nn.Sequential(nn.Conv2d(3, 4, 1), nn.ReLU(), nn.Conv2d(4, 4, 1), nn.ReLU())
    body[2].register_forward_hook(lambda *args: calls.append("second conv"))
    extractor = style.FeatureExtractor(body, {1: "a", 3: "b"}, content_layers=["b"], style_layers=["a"])
    assert set(extractor(torch.rand(1, 3, 4, 4), ["a"])) == {"a"} and not calls
    with pytest.raises(KeyError, match="unknown layers"):
        extractor(torch.rand(1, 3, 4, 4), ["c"])


def test_extractor_normalizes_with_the_given_mean_and_std():
    extractor = style.FeatureExtractor(nn.Sequential(nn.Identity()), {0: "x"}, ["x"], ["x"], mean=(0.5,) * 3, std=(0.25,) * 3)
    assert torch.allclose(extractor(torch.full((1, 3, 2, 2), 0.75))["x"], torch.ones(1, 3, 2, 2))


def test_vgg19_layer_names_match_torchvision_relus():
    with torch.device("meta"):
        features = __import__("torchvision").models.vgg19(weights=None).features
    assert all(isinstance(features[index], nn.ReLU) for index in style.VGG19_LAYERS)
    assert style.VGG19_LAYERS[29] == "relu5_1" and style.VGG19_LAYERS[22] == "relu4_2"


def test_average_pooling_replaces_max_pooling():
    body = style._average_pooling(nn.Sequential(nn.Conv2d(3, 3, 1), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2)))
    assert isinstance(body[2], nn.AvgPool2d) and not body[1].inplace


def test_style_backbone_says_which_backbone_it_chose(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))  # an empty cache: no VGG19 weights
    extractor, source = utils.style_backbone()
    assert "course's CIFAR-10 convnet" in source, "offline, the trained course convnet is the backbone"
    assert "VGG19 ImageNet weights unavailable" in capsys.readouterr().out
    assert extractor.style_layers == ["relu1", "relu2", "relu3", "relu4"]
    assert isinstance(extractor, style.FeatureExtractor)


def test_vgg19_features_refuses_to_download_unless_asked(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    assert style.vgg19_weights_path().name.startswith("vgg19-")
    with pytest.raises(FileNotFoundError, match="not cached"):
        style.vgg19_features()


def test_vgg19_features_uses_gatys_layers_with_average_pooling(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    style.vgg19_weights_path().parent.mkdir(parents=True)
    style.vgg19_weights_path().touch()  # pretend the weights are cached; build the network without loading them
    real_vgg19 = __import__("torchvision").models.vgg19

    def vgg19_on_meta(weights):
        assert weights is not None, "vgg19_features must ask torchvision for the ImageNet weights"
        with torch.device("meta"):
            return real_vgg19(weights=None)

    monkeypatch.setattr("torchvision.models.vgg19", vgg19_on_meta)
    extractor = style.vgg19_features()
    assert extractor.content_layers == ["relu4_2"]
    assert extractor.style_layers == ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
    assert len(extractor.body) == 30 and not any(isinstance(m, nn.MaxPool2d) for m in extractor.body)
    assert sum(isinstance(m, nn.AvgPool2d) for m in extractor.body) == 4
    names = set(extractor.layer_names.values())
    assert set(extractor.content_layers + extractor.style_layers) <= names


def test_course_features_wraps_the_course_checkpoint():
    extractor, source = utils.course_features()
    assert "course's CIFAR-10 convnet" in source and "%" in source
    assert extractor.style_layers == ["relu1", "relu2", "relu3", "relu4"] and extractor.content_layers == ["relu3"]
    features = extractor(torch.rand(1, 3, 64, 64))
    assert [tuple(f.shape) for f in features.values()] == [(1, 16, 64, 64), (1, 32, 32, 32), (1, 64, 16, 16), (1, 128, 8, 8)]
    assert not any(p.requires_grad for p in extractor.parameters()), "the backbone must stay frozen"
    assert not any(isinstance(layer, torch.nn.MaxPool2d) for layer in extractor.body), "average pooling, as for VGG19"
