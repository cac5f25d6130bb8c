import hashlib
import json
from pathlib import Path
from urllib.error import URLError

import loopback
import pytest
import torch

import utils
from utils import config, data


@pytest.fixture(autouse=True)
def _forget_unreachable_hosts():
    """Each test starts with no host remembered as unreachable (the memory lasts a process, like a kernel)."""
    data._UNREACHABLE.clear()
    yield
    data._UNREACHABLE.clear()


def test_data_root_uses_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_ROOT", str(tmp_path))
    assert utils.data_root() == tmp_path
    monkeypatch.delenv("COURSE_DATA_ROOT")
    assert utils.data_root() == config.REPO_ROOT / "data"


def test_an_installed_copy_keeps_its_data_in_the_home_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_DATA_ROOT", raising=False)
    monkeypatch.setattr(config, "REPO_ROOT", tmp_path / "site-packages")  # no pyproject.toml: not a checkout
    assert utils.data_root() == Path.home() / ".cache" / "dl-course" / "data"


def test_md5sum_matches_hashlib(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"x" * 3_000_000)
    assert data.md5sum(path) == hashlib.md5(b"x" * 3_000_000).hexdigest()


def test_verify_names_a_corrupt_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"not mnist")
    with pytest.raises(utils.DataError, match=r"train-images-idx3-ubyte is corrupt .*delete it"):
        data.verify(path, "0" * 32)


@pytest.fixture
def network(monkeypatch, tmp_path):
    """An empty data root, and stand-ins of every data set served on loopback as the course's download mirror."""
    root, served = tmp_path / "data", tmp_path / "mirror"
    root.mkdir()
    overrides = loopback.mirror(served)
    with loopback.serve(served) as url:
        for name, value in loopback.offline_env(url, overrides).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("COURSE_DATA_ROOT", str(root))
        yield root, served, url


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://mirror.example/course/")
    monkeypatch.setenv("COURSE_DATA_MD5_OVERRIDES", str(tmp_path / "sums.json"))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    settings = data.settings()
    assert settings.mirror == "http://mirror.example/course/" and settings.cache_dir == tmp_path / "cache"
    assert data.source_url("MNIST/t10k-images-idx3-ubyte.gz") == "http://mirror.example/course/MNIST/t10k-images-idx3-ubyte.gz"
    (tmp_path / "sums.json").write_text(json.dumps({"MNIST/t10k-images-idx3-ubyte.gz": "1" * 32}))
    assert data.expected_md5("MNIST/t10k-images-idx3-ubyte.gz") == "1" * 32
    assert data.expected_md5("MNIST/raw/t10k-images-idx3-ubyte") == data.MD5["MNIST/raw/t10k-images-idx3-ubyte"]
    (tmp_path / "sums.json").write_text("{not json")
    with pytest.raises(utils.DataError, match="COURSE_DATA_MD5_OVERRIDES=.* cannot be read as JSON"):
        data.expected_md5("MNIST/raw/t10k-images-idx3-ubyte")
    monkeypatch.delenv("COURSE_DATA_MIRROR")
    monkeypatch.delenv("COURSE_DATA_MD5_OVERRIDES")
    assert data.source_url("cifar10/cifar-10-python.tar.gz") == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert data.expected_md5("cifar10/cifar-10-python.tar.gz") == "c58f30108f718f92721af3b95e74349a"


@pytest.mark.parametrize("fashion", [False, True])
def test_mnist_is_downloaded_through_the_mirror(network, fashion):
    root, _, _ = network
    name = "FashionMNIST" if fashion else "MNIST"
    X, y = utils.load_mnist("test", fashion=fashion, standardize=False)
    images, labels = loopback.mnist_arrays("test", seed=len(name))
    assert X.shape == (6, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    torch.testing.assert_close(X[:, 0] * 255, torch.from_numpy(images).float())
    assert y.tolist() == labels.tolist()
    assert loopback.files_under(root) == [name, f"{name}/raw", f"{name}/raw/t10k-images-idx3-ubyte",
                                          f"{name}/raw/t10k-labels-idx1-ubyte"], "only the test files, uncompressed"


def failure(root):
    """The message of the DataError that loading MNIST's test split raises, checked to be one actionable sentence."""
    with pytest.raises(utils.DataError) as caught:
        utils.load_mnist("test")
    message = str(caught.value)
    assert message.startswith(f"Missing data under {root}: MNIST/raw/t10k-images-idx3-ubyte, MNIST/raw/t10k-labels-idx1-ubyte;")
    assert message.endswith(".") and ". " not in message, f"not one sentence: {message}"
    assert caught.value.__suppress_context__, "the message says it all: no urllib traceback dragged along"
    assert loopback.files_under(root) == [], "nothing half-written is left in the data root"
    return message


def test_a_missing_file_on_the_server_is_one_clear_sentence(network):
    root, served, url = network
    (served / "MNIST" / "t10k-images-idx3-ubyte.gz").unlink()
    message = failure(root)
    assert f"the download of {url}MNIST/t10k-images-idx3-ubyte.gz failed (HTTPError: HTTP Error 404: File not found)" in message
    assert "HTTPS_PROXY" in message and "Install Certificates.command" in message and "COURSE_DATA_ROOT" in message


def test_connection_refused_is_one_clear_sentence(network, monkeypatch):
    root, _, _ = network
    monkeypatch.setenv("COURSE_DATA_MIRROR", loopback.closed_port_url())
    message = failure(root)
    assert "failed (URLError: <urlopen error [Errno 111] Connection refused>)" in message
    assert "HTTPS_PROXY" in message and "COURSE_DATA_ROOT" in message


def test_an_unreachable_host_is_not_waited_for_twice(network, monkeypatch):
    root, _, _ = network
    monkeypatch.setenv("COURSE_DATA_MIRROR", loopback.closed_port_url())
    failure(root)
    message = failure(root)  # the second load fails at once, saying why and how to try again
    assert "was not tried" in message and "Connection refused" in message and "restart the kernel" in message


def test_a_corrupt_download_is_one_clear_sentence(network):
    root, served, url = network
    (served / "MNIST" / "t10k-images-idx3-ubyte.gz").write_bytes(b"not what the MD5 sum promises")
    message = failure(root)
    assert f"the file downloaded from {url}MNIST/t10k-images-idx3-ubyte.gz is corrupt (MD5 " in message


def test_a_connection_cut_midway_leaves_nothing(network, monkeypatch):
    root, _, url = network
    monkeypatch.setenv("COURSE_DATA_MIRROR", url + "cut")
    message = failure(root)
    assert "failed (ConnectionError: the connection closed after 1,000 of 10,000 bytes)" in message


def test_the_whole_cause_is_kept(network, monkeypatch):
    root, _, _ = network
    reason = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate " * 3

    def refuse(*args, **kwargs):
        raise URLError(reason)

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    message = failure(root)
    assert f"(URLError: <urlopen error {reason}>)" in message, "the cause must not be cut"


def test_files_without_a_downloader_are_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_ROOT", str(tmp_path))
    with pytest.raises(utils.DataError, match=r"nosuchset/file.txt; no downloader is known"):
        data.ensure_files(["nosuchset/file.txt"])


def test_files_in_the_data_root_are_md5_checked(network):
    root, _, _ = network
    utils.load_mnist("test")
    (root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").write_bytes(b"tampered")
    with pytest.raises(utils.DataError, match="t10k-labels-idx1-ubyte is corrupt .*delete it"):
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
