import hashlib
from pathlib import Path
from urllib.error import URLError

import pytest
import torch

import utils
from utils import data


def write_idx(path: Path, array: torch.Tensor) -> bytes:
    """Write a uint8 tensor as an IDX file (the MNIST format); return the bytes."""
    header = bytes([0, 0, 8, array.dim()]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    content = header + array.numpy().tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return content


def test_data_root_uses_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_ROOT", str(tmp_path))
    assert utils.data_root() == tmp_path
    monkeypatch.delenv("COURSE_DATA_ROOT")
    assert utils.data_root() == data.REPO_ROOT / "data"


def test_md5sum_matches_hashlib(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"x" * 3_000_000)
    assert data.md5sum(path) == hashlib.md5(b"x" * 3_000_000).hexdigest()


def test_verify_names_a_corrupt_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"not mnist")
    with pytest.raises(utils.DataError, match=r"train-images-idx3-ubyte is corrupt .*delete it"):
        data.verify(path, "0" * 32)


def test_missing_files_without_network_give_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_ROOT", str(tmp_path))

    def offline(name, root):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setitem(data.DOWNLOADERS, "MNIST", offline)
    with pytest.raises(utils.DataError) as caught:
        utils.load_mnist("test")
    message = str(caught.value)
    assert "MNIST/raw/t10k-images-idx3-ubyte" in message and "MNIST/raw/t10k-labels-idx1-ubyte" in message
    assert "download failed (URLError" in message and "COURSE_DATA_ROOT" in message
    assert caught.value.__context__ is None, "the error should not drag the urllib traceback along"


def test_files_without_a_downloader_are_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_ROOT", str(tmp_path))
    with pytest.raises(utils.DataError, match=r"nosuchset/file.txt; no downloader is known"):
        data.ensure_files(["nosuchset/file.txt"])


def test_downloaded_files_are_loaded_and_md5_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_ROOT", str(tmp_path))
    images = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8)
    labels = torch.tensor([3, 1, 4, 1, 5], dtype=torch.uint8)
    sums = {}

    def fake_download(name, root):
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            relative = f"{name}/raw/t10k-{kind}-ubyte"
            sums[relative] = hashlib.md5(write_idx(root / relative, array)).hexdigest()

    monkeypatch.setitem(data.DOWNLOADERS, "MNIST", fake_download)
    monkeypatch.setattr(data, "MD5", sums)
    X, y = utils.load_mnist("test", standardize=False)
    assert X.shape == (5, 1, 28, 28) and X.dtype == torch.float32
    torch.testing.assert_close(X[:, 0] * 255, images.float())
    assert y.tolist() == [3, 1, 4, 1, 5] and y.dtype == torch.int64

    sums["MNIST/raw/t10k-labels-idx1-ubyte"] = "0" * 32  # now the file no longer matches
    with pytest.raises(utils.DataError, match="t10k-labels-idx1-ubyte is corrupt"):
        utils.load_mnist("test")


def test_load_mnist_rejects_unknown_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        utils.load_mnist("validation")


def test_load_mnist_from_the_data_root():
    X, y = utils.load_mnist("train")
    assert X.shape == (60_000, 1, 28, 28) and y.shape == (60_000,)
    assert abs(X.mean().item()) < 0.01 and abs(X.std().item() - 1) < 0.01, "training pixels should be standardized"
    assert sorted(y.unique().tolist()) == list(range(10))
    X_test, y_test = utils.load_mnist("test", limit=100)
    assert X_test.shape == (100, 1, 28, 28) and y_test[:3].tolist() == [7, 2, 1]


def test_load_fashion_mnist_from_the_data_root():
    X, y = utils.load_mnist("test", fashion=True, standardize=False)
    assert X.shape == (10_000, 1, 28, 28) and 0 <= X.min() and X.max() <= 1
    assert torch.bincount(y).tolist() == [1000] * 10


def test_tensor_loader_visits_every_example_once_per_epoch():
    X = torch.arange(10).float().unsqueeze(1)
    loader = utils.TensorLoader(X, torch.arange(10), batch_size=4)
    assert len(loader) == 3
    torch.manual_seed(0)
    epochs = [torch.cat([xb[:, 0] for xb, _ in loader]) for _ in range(2)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(10))
    assert not torch.equal(epochs[0], epochs[1]), "shuffled epochs should differ"
    for xb, yb in loader:
        assert torch.equal(xb[:, 0].long(), yb), "inputs and labels must stay paired"


def test_tensor_loader_without_shuffle_keeps_order_and_moves_to_device():
    loader = utils.TensorLoader(torch.arange(5).float(), torch.arange(5), batch_size=2, shuffle=False, device="cpu")
    assert [yb.tolist() for _, yb in loader] == [[0, 1], [2, 3], [4]]
    assert loader.X.device.type == "cpu"


def test_tensor_loader_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        utils.TensorLoader(torch.zeros(3), torch.zeros(2), batch_size=1)
