"""Data: find the data root, check files against known MD5 sums, load tensors, batch them fast.

The data root is the folder named by the environment variable COURSE_DATA_ROOT, else the
git-ignored folder `data/` at the top of the repository. Each data set keeps the layout its
usual loader expects (MNIST/raw/..., FashionMNIST/raw/..., cifar10-jpeg/..., tinyshakespeare/...).
"""
import hashlib
import math
import os
from collections.abc import Iterator
from pathlib import Path

import torch

DATA_ROOT_ENV = "COURSE_DATA_ROOT"
REPO_ROOT = Path(__file__).resolve().parent.parent

# MD5 sums of the uncompressed files, as published with the offline copies.
MD5 = {
    "MNIST/raw/t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "MNIST/raw/t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    "MNIST/raw/train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "MNIST/raw/train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "FashionMNIST/raw/t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "FashionMNIST/raw/t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    "FashionMNIST/raw/train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "FashionMNIST/raw/train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "cifar10-jpeg/test.tar": "341ba5d1a2f925640dc9510ad50da0a9",
    "cifar10-jpeg/train.tar": "011c4e5a4a562e0211ad7aaf44cb3b3e",
    "tinyshakespeare/input.txt": "6fb458f1232090904fb40fe944165e91",
}

# Mean and standard deviation of the training images' pixels (in [0, 1]), used to standardize.
PIXEL_STATS = {"MNIST": (0.1307, 0.3081), "FashionMNIST": (0.2860, 0.3530)}

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


class DataError(FileNotFoundError):
    """A data file is missing or corrupt; the message says what to do."""


def data_root() -> Path:
    """The folder that holds the data sets: $COURSE_DATA_ROOT, else data/ in the repository."""
    return Path(os.environ.get(DATA_ROOT_ENV) or REPO_ROOT / "data").expanduser()


def md5sum(path: Path) -> str:
    """The MD5 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, expected_md5: str) -> None:
    """Raise DataError naming the file if its MD5 sum is not the expected one."""
    actual = md5sum(path)
    if actual != expected_md5:
        raise DataError(
            f"{path} is corrupt (MD5 {actual}, expected {expected_md5}): "
            "delete it and copy or download it again."
        )


def _download_torchvision(name: str, root: Path) -> None:
    """Let torchvision download a data set into root/<name>/raw (needs a network)."""
    import torchvision

    dataset_class = getattr(torchvision.datasets, name)
    for train in (True, False):
        dataset_class(str(root), train=train, download=True)


TINYSHAKESPEARE_URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"


def _download_tinyshakespeare(name: str, root: Path) -> None:
    """Download tiny-shakespeare from karpathy/char-rnn into root/tinyshakespeare/input.txt (needs a network)."""
    from urllib.request import urlopen

    (root / name).mkdir(parents=True, exist_ok=True)
    with urlopen(TINYSHAKESPEARE_URL, timeout=30) as response:
        (root / name / "input.txt").write_bytes(response.read())


DOWNLOADERS = {"MNIST": _download_torchvision, "FashionMNIST": _download_torchvision,
               "tinyshakespeare": _download_tinyshakespeare}


def ensure_files(relative_paths: list[str]) -> list[Path]:
    """Return the absolute paths of data files, downloading missing ones where possible, all MD5-checked."""
    root = data_root()
    paths = [root / relative for relative in relative_paths]
    missing = [relative for relative, path in zip(relative_paths, paths) if not path.exists()]
    if missing:
        name = missing[0].split("/")[0]
        downloader = DOWNLOADERS.get(name)
        problem = "no downloader is known for it" if downloader is None else ""
        if downloader is not None:
            try:
                downloader(name, root)
            except Exception as error:  # urllib, socket and torchvision errors all mean "no download"
                problem = f"the download failed ({type(error).__name__}: {str(error)[:120]})"
        still_missing = [relative for relative in missing if not (root / relative).exists()]
        if still_missing:
            raise DataError(
                f"Missing data under {root}: {', '.join(still_missing)}; {problem or 'the download did not create them'}. "
                f"Copy the files there (the course's offline copies have this layout) or set "
                f"{DATA_ROOT_ENV} to a folder that holds them."
            )
    for relative, path in zip(relative_paths, paths):
        if relative in MD5:
            verify(path, MD5[relative])
    return paths


def _read_idx(path: Path) -> torch.Tensor:
    """Read an uncompressed IDX file (the MNIST format) into a uint8 tensor."""
    data = path.read_bytes()
    num_dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(num_dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * num_dims:]), dtype=torch.uint8).reshape(shape)


def load_mnist(split: str = "train", limit: int | None = None, fashion: bool = False,
               standardize: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST (or Fashion-MNIST) images X of shape (N, 1, 28, 28) and labels y of shape (N,).

    X is float32, standardized with the training set's mean and std unless standardize=False
    (then in [0, 1]); y is int64. `limit` keeps the first `limit` examples.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    name = "FashionMNIST" if fashion else "MNIST"
    prefix = "train" if split == "train" else "t10k"
    images_path, labels_path = ensure_files(
        [f"{name}/raw/{prefix}-images-idx3-ubyte", f"{name}/raw/{prefix}-labels-idx1-ubyte"]
    )
    X = _read_idx(images_path)[:limit].unsqueeze(1).float().div_(255)
    y = _read_idx(labels_path)[:limit].long()
    if standardize:
        mean, std = PIXEL_STATS[name]
        X = X.sub_(mean).div_(std)
    return X, y


class TensorLoader:
    """Mini-batches (X, y) from tensors kept whole on one device: no DataLoader, no worker processes.

    For data sets that fit in memory (MNIST is 188 MB as float32), this is the fast path: one
    random permutation per epoch and one indexing operation per batch.
    """

    def __init__(self, X: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = True,
                 device: torch.device | str | None = None):
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
        self.X = X if device is None else X.to(device)
        self.y = y if device is None else y.to(device)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        if not self.shuffle:
            for start in range(0, n, self.batch_size):
                yield self.X[start:start + self.batch_size], self.y[start:start + self.batch_size]
            return
        order = torch.randperm(n, device=self.X.device)
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            yield self.X[index], self.y[index]
