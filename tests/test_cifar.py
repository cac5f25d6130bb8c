import io
import tarfile

import loopback
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


def write_jpeg_copy(root):
    """A 'test.tar' of 2 cats and 3 dogs in the cifar10-jpeg layout under root; returns its MD5."""
    (root / "cifar10-jpeg").mkdir(parents=True)
    with tarfile.open(root / "cifar10-jpeg" / "test.tar", "w") as archive:
        for name, color, count in (("cat", (250, 10, 10), 2), ("dog", (10, 10, 250), 3)):
            for index in range(count):
                content = jpeg_bytes(color)
                info = tarfile.TarInfo(f"test/{name}/{index:04d}.jpg")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return data.md5sum(root / "cifar10-jpeg" / "test.tar")


@pytest.fixture
def tiny_cifar(monkeypatch, tmp_path):
    """A data root with only the JPEG copy's 'test.tar', an empty cache dir, and no network."""
    root, cache = tmp_path / "data", tmp_path / "cache"
    monkeypatch.setitem(data.MD5, "cifar10-jpeg/test.tar", write_jpeg_copy(root))
    monkeypatch.setenv("COURSE_DATA_ROOT", str(root))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    for name, value in loopback.offline_env(loopback.closed_port_url()).items():  # the original is out of reach
        monkeypatch.setenv(name, value)
    return root, cache


def test_load_cifar10_decodes_relabels_and_caches(tiny_cifar, capsys):
    root, cache = tiny_cifar
    X, y = utils.load_cifar10("test", classes=["dog", "cat"])
    printed = capsys.readouterr().out
    assert printed.startswith("CIFAR-10 test: the JPEG copy, from ") and "Connection refused" in printed
    assert printed.count("\n") == 1, "one line names the source"
    assert X.shape == (5, 3, 32, 32) and X.dtype == torch.float32
    assert y.tolist() == [0, 0, 0, 1, 1], "classes are relabelled in the order given"
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert X[0, 2].mean() > 0.9 and X[0, 0].mean() < 0.1, "dogs are blue"
    assert X[3, 0].mean() > 0.9, "cats are red"
    assert [path.parent.name[:13] for path in cache.rglob("*.pt")] == ["cifar10-jpeg-"] * 2, "one cache file per class"
    (root / "cifar10-jpeg" / "test.tar").unlink()
    X_again, _ = utils.load_cifar10("test", classes=["dog", "cat"], per_class=1)
    assert torch.equal(X_again, X[[0, 3]]), "later loads come from the cache, per_class keeps the first images"
    assert "the JPEG copy, from decoded cache" in capsys.readouterr().out


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


@pytest.fixture
def network(monkeypatch, tmp_path):
    """An empty data root and cache, and a stand-in of torchvision's CIFAR-10 archive served on loopback."""
    root, cache, served = tmp_path / "data", tmp_path / "cache", tmp_path / "mirror"
    counts = {"train": {"cat": 7, "dog": 4, "ship": 1}, "test": {"cat": 2, "dog": 3}}
    overrides = loopback.mirror(served, cifar_counts=counts)
    with loopback.serve(served) as url:
        for name, value in loopback.offline_env(url, overrides).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("COURSE_DATA_ROOT", str(root))
        monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
        yield root, cache, served


def expected_images(class_name: str, count: int) -> torch.Tensor:
    """The stand-in images of one class, in [0, 1]."""
    label = loopback.CLASSES.index(class_name)
    return torch.stack([torch.from_numpy(loopback.cifar_image(label, i)) for i in range(count)]).float() / 255


def test_the_original_is_downloaded_decoded_and_cached(network, capsys):
    root, cache, _ = network
    X, y = utils.load_cifar10("train", ["dog", "cat"])
    assert f"CIFAR-10 train: the original pixels (torchvision's pickled batches), from downloaded to {root}" in capsys.readouterr().out
    assert X.shape == (11, 3, 32, 32) and X.dtype == torch.float32 and y.tolist() == [0] * 4 + [1] * 7
    torch.testing.assert_close(X, torch.cat([expected_images("dog", 4), expected_images("cat", 7)]))
    assert loopback.files_under(root) == ["cifar-10-batches-py"] + [f"cifar-10-batches-py/{name}" for name in
                                          ("batches.meta", "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
                                           "data_batch_5", "test_batch")]
    assert len(list(cache.glob("cifar10-original-*/train-*.pt"))) == 10, "one pass over the batches caches every class"

    X_test, y_test = utils.load_cifar10("test", ["cat", "dog"], per_class=2)
    torch.testing.assert_close(X_test, torch.cat([expected_images("cat", 2), expected_images("dog", 2)]))
    assert y_test.tolist() == [0, 0, 1, 1]
    assert f"from {root / 'cifar-10-batches-py'}" in capsys.readouterr().out, "one download brings both splits"

    (root / "cifar-10-batches-py" / "data_batch_1").unlink()
    X_again, _ = utils.load_cifar10("train", ["dog", "cat"], per_class=3)
    assert "the original pixels (torchvision's pickled batches), from decoded cache" in capsys.readouterr().out
    torch.testing.assert_close(X_again, X[[0, 1, 2, 4, 5, 6]])


def test_the_original_comes_before_the_jpeg_copy_and_each_has_its_own_cache(network, capsys):
    root, cache, _ = network
    (root / "cifar10-jpeg").mkdir(parents=True)
    (root / "cifar10-jpeg" / "test.tar").write_bytes(b"a JPEG copy that must not be read")
    X, _ = utils.load_cifar10("test", ["cat"])
    assert "the original pixels" in capsys.readouterr().out and len(X) == 2
    assert {path.name[:17] for path in cache.iterdir()} == {"cifar10-original-"}


def test_a_corrupt_archive_falls_back_to_the_jpeg_copy_or_says_what_to_do(network, monkeypatch, capsys):
    root, _, served = network
    (served / "cifar10" / "cifar-10-python.tar.gz").write_bytes(b"not an archive")
    monkeypatch.setitem(data.MD5, "cifar10-jpeg/test.tar", write_jpeg_copy(root))
    X, _ = utils.load_cifar10("test", ["cat"])
    printed = capsys.readouterr().out
    assert printed.startswith(f"CIFAR-10 test: the JPEG copy, from {root}") and "not downloaded: MD5 " in printed
    assert len(X) == 2
    (root / "cifar10-jpeg" / "test.tar").unlink()
    with pytest.raises(utils.DataError) as caught:
        utils.load_cifar10("test", ["dog"])
    message = str(caught.value)
    assert "cifar-10-python.tar.gz is corrupt (MD5 " in message and "the offline JPEG copy" in message and "missing too" in message
    assert loopback.files_under(root) == ["cifar10-jpeg"], "nothing half-written is left in the data root"


def test_a_read_only_data_root_falls_back_to_the_jpeg_copy(tiny_cifar, monkeypatch, capsys):
    def read_only(**kwargs):
        raise OSError(30, "Read-only file system", kwargs["dir"])

    monkeypatch.setattr(data.tempfile, "mkdtemp", read_only)  # as in the grading sandbox
    X, _ = utils.load_cifar10("test", ["dog"])
    assert len(X) == 3
    assert "the JPEG copy, from" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_DATA_ROOT", str(tiny_cifar[0] / "elsewhere"))
    with pytest.raises(utils.DataError, match=r"the data root is not writable \(OSError: \[Errno 30\] Read-only file system"):
        utils.load_shakespeare()
