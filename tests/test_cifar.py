import io
import tarfile

import pytest
import torch

import utils
from utils import cifar, data


def jpeg_bytes(color: tuple[int, int, int]) -> bytes:
    """A 32x32 JPEG of one flat colour."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), color).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


@pytest.fixture
def tiny_cifar(monkeypatch, tmp_path):
    """A data root with a 'test.tar' of 2 cats and 3 dogs in the cifar10-jpeg layout, and an empty cache dir."""
    root, cache = tmp_path / "data", tmp_path / "cache"
    (root / "cifar10-jpeg").mkdir(parents=True)
    with tarfile.open(root / "cifar10-jpeg" / "test.tar", "w") as archive:
        for name, color, count in (("cat", (250, 10, 10), 2), ("dog", (10, 10, 250), 3)):
            for index in range(count):
                content = jpeg_bytes(color)
                info = tarfile.TarInfo(f"test/{name}/{index:04d}.jpg")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    monkeypatch.setenv("COURSE_DATA_ROOT", str(root))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    monkeypatch.setitem(data.MD5, "cifar10-jpeg/test.tar", data.md5sum(root / "cifar10-jpeg" / "test.tar"))
    return root, cache


def test_load_cifar10_decodes_relabels_and_caches(tiny_cifar):
    root, cache = tiny_cifar
    X, y = utils.load_cifar10("test", classes=["dog", "cat"])
    assert X.shape == (5, 3, 32, 32) and X.dtype == torch.float32
    assert y.tolist() == [0, 0, 0, 1, 1], "classes are relabelled in the order given"
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert X[0, 2].mean() > 0.9 and X[0, 0].mean() < 0.1, "dogs are blue"
    assert X[3, 0].mean() > 0.9, "cats are red"
    assert len(list(cache.rglob("*.pt"))) == 2, "one cache file per class"
    (root / "cifar10-jpeg" / "test.tar").unlink()
    X_again, _ = utils.load_cifar10("test", classes=["dog", "cat"], per_class=1)
    assert torch.equal(X_again, X[[0, 3]]), "later loads come from the cache, per_class keeps the first images"


def test_load_cifar10_checks_md5_before_decoding(tiny_cifar, monkeypatch):
    monkeypatch.setitem(data.MD5, "cifar10-jpeg/test.tar", "0" * 32)
    with pytest.raises(utils.DataError, match="corrupt"):
        utils.load_cifar10("test", classes=["cat"])


def test_load_cifar10_rejects_unknown_names(tiny_cifar):
    with pytest.raises(ValueError, match="unknown CIFAR-10 classes"):
        utils.load_cifar10("test", classes=["cat", "wolf"])
    with pytest.raises(ValueError, match="split"):
        utils.load_cifar10("validation")


def test_cache_dir_uses_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    assert cifar.cache_dir() == tmp_path
    monkeypatch.delenv("COURSE_CACHE_DIR")
    assert cifar.cache_dir().name == "dl-course"
