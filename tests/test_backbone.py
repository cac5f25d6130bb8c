import importlib.util
from pathlib import Path

import pytest
import torch
from torch import nn

import utils
from utils import backbone


def load_script(name: str):
    """A module of scripts/ (not a package: the scripts run as files), loaded from its file."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


save_course_backbone = load_script("train_backbone").save_course_backbone


def test_course_convnet_shapes_and_feature_maps():
    model = utils.course_convnet(num_classes=5)
    X = torch.rand(4, 3, 32, 32)
    assert model(X).shape == (4, 5)
    assert isinstance(model.features, nn.Sequential) and isinstance(model.classifier[-1], nn.Linear)
    shapes = []
    for layer in model.features:
        X = layer(X)
        shapes.append(tuple(X.shape[1:]))
    assert shapes == [(3, 32, 32), (16, 16, 16), (32, 8, 8), (64, 4, 4), (128, 2, 2)]


def test_normalize_standardizes_each_channel():
    layer = backbone.Normalize((0.5, 0.25, 0.0), (0.5, 0.25, 1.0))
    out = layer(torch.ones(1, 3, 2, 2))
    assert torch.allclose(out[0, :, 0, 0], torch.tensor([1.0, 3.0, 1.0]))


def test_augment_keeps_shape_and_content():
    torch.manual_seed(0)
    X = torch.rand(64, 3, 8, 8)
    out = utils.augment(X, padding=0)
    assert out.shape == X.shape
    flipped = [torch.equal(out[i], X[i].flip(2)) for i in range(64)]
    kept = [torch.equal(out[i], X[i]) for i in range(64)]
    assert all(f or k for f, k in zip(flipped, kept)) and 10 < sum(flipped) < 54
    shifted = utils.augment(torch.ones(8, 1, 8, 8), padding=2)
    assert shifted.shape == (8, 1, 8, 8) and shifted.sum() >= 8 * 6 * 6


def test_save_and_load_round_trip_in_float16(tmp_path):
    model = utils.course_convnet()
    record = {"classes": list(backbone.SOURCE_CLASSES), "test_accuracy": 0.5}
    path = tmp_path / "b.pt"
    save_course_backbone(model, record, path)
    loaded, loaded_record = utils.load_course_backbone(path)
    assert loaded_record["test_accuracy"] == 0.5 and "model" not in loaded_record
    for name, tensor in model.state_dict().items():
        assert torch.allclose(loaded.state_dict()[name].float(), tensor.float(), rtol=1e-3, atol=1e-4), name
    assert path.stat().st_size < 1_000_000


def test_no_weights_is_an_error_not_random_weights(monkeypatch, tmp_path):
    def offline():
        raise OSError("no network")

    monkeypatch.setattr(backbone, "_imagenet_resnet18", offline)
    with pytest.raises(utils.BackboneError, match="train_backbone.py"):
        utils.pretrained_backbone(path=tmp_path / "missing.pt")


def test_offline_falls_back_to_the_course_checkpoint_and_says_so(monkeypatch, tmp_path):
    def offline():
        raise OSError("no network")

    monkeypatch.setattr(backbone, "_imagenet_resnet18", offline)
    path = tmp_path / "b.pt"
    save_course_backbone(utils.course_convnet(2), {"classes": ["a", "b"], "test_accuracy": 0.75}, path)
    model, source = utils.pretrained_backbone(path=path)
    assert "ImageNet weights unavailable" in source and "75.0%" in source and not model.training
    assert model.classifier[-1].out_features == 2
    _, source = utils.pretrained_backbone(imagenet=False, path=path)
    assert source.startswith("the course's convnet")


def test_imagenet_resnet18_is_wrapped_as_a_backbone(monkeypatch):
    import torchvision

    monkeypatch.setattr(torchvision.models.ResNet18_Weights.IMAGENET1K_V1.__class__, "get_state_dict",
                        lambda self, progress=True: torchvision.models.resnet18().state_dict())
    model, source = utils.pretrained_backbone()
    assert "ImageNet" in source and "unavailable" not in source
    assert model(torch.rand(1, 3, 64, 64)).shape == (1, 1000)
    assert model.features(torch.rand(1, 3, 64, 64)).shape == (1, 512, 2, 2)


@pytest.mark.slow
def test_committed_checkpoint_reaches_its_recorded_source_accuracy():
    model, record = utils.load_course_backbone()
    assert record["classes"] == list(backbone.SOURCE_CLASSES), "the source task is CIFAR-10 without cat and dog"
    X, y = utils.load_cifar10("test", record["classes"])
    accuracy = utils.evaluate(model.eval(), utils.TensorLoader(X, y, 1000, shuffle=False))["accuracy"]
    assert accuracy == pytest.approx(record["test_accuracy"], abs=0.002)
    assert accuracy > 0.7, "a backbone worth transferring from"
    assert backbone.CHECKPOINT.stat().st_size < 3_000_000


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_corrupt_cached_imagenet_file_falls_back_to_the_course_backbone(monkeypatch, tmp_path, damage):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))   # torch.hub's cache, where torchvision looks first
    cached = backbone._imagenet_cache_file()
    assert str(cached).startswith(str(tmp_path)), "the test must not touch the real torch cache"
    cached.parent.mkdir(parents=True)
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7)}, cached)
    whole = cached.read_bytes()
    cached.write_bytes({"truncated": whole[: len(whole) // 2], "garbage": b"\x80\x02not a pickle" * 10, "empty": b""}[damage])
    path = tmp_path / "b.pt"
    save_course_backbone(utils.course_convnet(2), {"classes": ["a", "b"], "test_accuracy": 0.75}, path)
    model, source = utils.pretrained_backbone(path=path)
    assert source.startswith("the cached ImageNet weights are unreadable (") and str(cached) in source
    assert "; the course's convnet" in source and source.count(". ") == 0, f"one sentence, please: {source}"
    assert model.classifier[-1].out_features == 2 and not model.training


def test_a_corrupt_course_checkpoint_says_how_to_restore_it(tmp_path):
    path = tmp_path / "b.pt"
    save_course_backbone(utils.course_convnet(2), {"classes": ["a", "b"], "test_accuracy": 0.75}, path)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(utils.BackboneError, match="unreadable .*git checkout pretrained/"):
        utils.load_course_backbone(path)
