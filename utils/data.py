"""Data: find the data root, download missing files, check MD5 sums, load tensors, batch them fast.

The data root is the folder named by COURSE_DATA_ROOT, else `data/` at the top of the checkout (or, for an
installed copy of the course, ~/.cache/dl-course/data). Each data set keeps the layout its usual loader expects
(MNIST/raw/..., FashionMNIST/raw/..., cifar-10-batches-py/..., cifar10-jpeg/..., tinyshakespeare/...).
Missing files are downloaded from their canonical public source (the URLs and MD5 sums torchvision publishes)
through one function, `download`: a progress bar, an MD5 check, nothing half-written left behind, and an error
that keeps the whole cause and says what to do. Two environment variables point that code at other servers:
COURSE_DATA_MIRROR (a base URL laid out as <mirror>/<key of DOWNLOADS>, for a lab's own mirror or a test's
server on loopback) and COURSE_DATA_MD5_OVERRIDES (a JSON file {key: md5} for a mirror that serves other
files than the canonical ones, such as a test's stand-ins). Both are read in utils/config.py.
"""
import gzip
import hashlib
import json
import math
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import torch

from .config import DATA_ROOT_ENV, MD5_OVERRIDES_ENV, settings

TIMEOUT_SECONDS = 30  # per network read: a black-holed connection fails instead of hanging

# MD5 sums of the files as they lie in the data root (uncompressed; the offline copies have the same files).
MD5 = {
    "MNIST/raw/t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "MNIST/raw/t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    "MNIST/raw/train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "MNIST/raw/train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "FashionMNIST/raw/t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "FashionMNIST/raw/t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    "FashionMNIST/raw/train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "FashionMNIST/raw/train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "cifar-10-batches-py/batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
    "cifar-10-batches-py/data_batch_1": "c99cafc152244af753f735de768cd75f",
    "cifar-10-batches-py/data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "cifar-10-batches-py/data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "cifar-10-batches-py/data_batch_4": "634d18415352ddfa80567beed471001a",
    "cifar-10-batches-py/data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "cifar-10-batches-py/test_batch": "40351d587109b95175f43aff81a1287e",
    "cifar10-jpeg/test.tar": "341ba5d1a2f925640dc9510ad50da0a9",
    "cifar10-jpeg/train.tar": "011c4e5a4a562e0211ad7aaf44cb3b3e",
    "tinyshakespeare/input.txt": "6fb458f1232090904fb40fe944165e91",
}

_MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
# Every file the course downloads: key (its path under a mirror) -> (canonical URL, MD5 of the download).
# The archives' MD5 sums are the ones torchvision publishes (torchvision.datasets.MNIST, FashionMNIST, CIFAR10).
DOWNLOADS = {
    "MNIST/train-images-idx3-ubyte.gz": (_MNIST_URL + "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "MNIST/train-labels-idx1-ubyte.gz": (_MNIST_URL + "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    "MNIST/t10k-images-idx3-ubyte.gz": (_MNIST_URL + "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    "MNIST/t10k-labels-idx1-ubyte.gz": (_MNIST_URL + "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    "FashionMNIST/train-images-idx3-ubyte.gz": (_FASHION_URL + "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    "FashionMNIST/train-labels-idx1-ubyte.gz": (_FASHION_URL + "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
    "FashionMNIST/t10k-images-idx3-ubyte.gz": (_FASHION_URL + "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
    "FashionMNIST/t10k-labels-idx1-ubyte.gz": (_FASHION_URL + "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    "cifar10/cifar-10-python.tar.gz": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                                       "c58f30108f718f92721af3b95e74349a"),
    "tinyshakespeare/input.txt": ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                                  "6fb458f1232090904fb40fe944165e91"),
}

ADVICE = ("check the connection or set a proxy (HTTPS_PROXY=http://host:port), on macOS run Python's "
          "'Install Certificates.command' once, or copy the course's offline data copies into the data root "
          f"(or set {DATA_ROOT_ENV} to a folder that holds them)")

# Mean and standard deviation of the training images' pixels (in [0, 1]), used to standardize.
PIXEL_STATS = {"MNIST": (0.1307, 0.3081), "FashionMNIST": (0.2860, 0.3530)}


class DataError(FileNotFoundError):
    """A data file is missing or corrupt; the message says what to do."""


def data_root() -> Path:
    """The folder that holds the data sets: $COURSE_DATA_ROOT, else data/ in the checkout."""
    return settings().data_root


def expected_md5(key: str) -> str | None:
    """The MD5 sum a file must have (a key of MD5 or DOWNLOADS), after the overrides file; None if unknown."""
    overrides_path = settings().md5_overrides
    if overrides_path is not None:
        try:
            overrides = json.loads(overrides_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DataError(f"{MD5_OVERRIDES_ENV}={overrides_path} cannot be read as JSON ({error}): "
                            f"fix the file or unset {MD5_OVERRIDES_ENV}.") from None
        if key in overrides:
            return overrides[key]
    return MD5[key] if key in MD5 else DOWNLOADS[key][1] if key in DOWNLOADS else None


def source_url(key: str) -> str:
    """The URL a key of DOWNLOADS is fetched from: <mirror>/<key> under $COURSE_DATA_MIRROR, else the canonical one."""
    mirror = settings().mirror
    return f"{mirror.rstrip('/')}/{key}" if mirror else DOWNLOADS[key][0]


def md5sum(path: Path) -> str:
    """The MD5 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, expected: str) -> None:
    """Raise DataError naming the file if its MD5 sum is not the expected one."""
    actual = md5sum(path)
    if actual != expected:
        raise DataError(
            f"{path} is corrupt (MD5 {actual}, expected {expected}): "
            "delete it and copy or download it again."
        )


# Hosts that could not be reached in this process, with the cause: later downloads from them fail at once.
_UNREACHABLE: dict[str, str] = {}


class DownloadError(DataError):
    """A download failed; `cause` is the underlying error in a few words, the message says what to do."""

    def __init__(self, message: str, cause: str):
        super().__init__(message)
        self.cause = cause


def download(key: str, folder: Path) -> Path:
    """Fetch one file of DOWNLOADS into folder with a progress bar and check its MD5; on failure nothing is left."""
    from urllib.error import HTTPError
    from urllib.parse import urlsplit
    from urllib.request import Request, urlopen

    from tqdm.auto import tqdm

    url, expected = source_url(key), expected_md5(key)
    host = urlsplit(url).netloc
    if host in _UNREACHABLE:  # a black-holed host would cost TIMEOUT_SECONDS on every load of the session
        cause = _UNREACHABLE[host]
        raise DownloadError(f"the download of {url} was not tried: {host} could not be reached earlier in this "
                            f"session ({cause}; restart the kernel to try again): {ADVICE}", cause)
    target = folder / key.rsplit("/", 1)[-1]
    partial = target.with_name(target.name + ".part")
    try:
        try:
            with urlopen(Request(url, headers={"User-Agent": "dl-course"}), timeout=TIMEOUT_SECONDS) as response, \
                    open(partial, "wb") as file, \
                    tqdm(total=response.length, unit="B", unit_scale=True, desc=target.name, leave=False) as bar:
                while chunk := response.read(1 << 16):
                    file.write(chunk)
                    bar.update(len(chunk))
                if response.length:  # bytes promised by Content-Length that never came
                    raise ConnectionError(f"the connection closed after {bar.n:,} of {bar.total:,} bytes")
        except Exception as error:  # URLError, HTTPError, socket timeouts, SSL errors, a connection reset mid-way
            cause = f"{type(error).__name__}: {error}"
            received = partial.exists() and partial.stat().st_size > 0
            if not isinstance(error, HTTPError) and not received:  # no connection at all, not a server's answer
                _UNREACHABLE[host] = cause
            raise DownloadError(f"the download of {url} failed ({cause}): {ADVICE}", cause) from None
        actual = md5sum(partial)
        if actual != expected:
            cause = f"MD5 {actual}, expected {expected}"
            raise DownloadError(f"the file downloaded from {url} is corrupt ({cause}): try again later, "
                                f"or copy the course's offline data copies into the data root", cause)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _place(source: Path, destination: Path) -> None:
    """Move a finished file into the data root in one step (a rename on the same file system)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, destination)


def _download_idx(name: str, work: Path, root: Path, missing: list[str]) -> None:
    """Fetch the missing gzipped IDX files of MNIST or Fashion-MNIST and place them uncompressed."""
    for relative in missing:
        archive = download(f"{name}/{Path(relative).name}.gz", work)
        unpacked = work / Path(relative).name
        with gzip.open(archive, "rb") as source, open(unpacked, "wb") as target:
            shutil.copyfileobj(source, target)
        _place(unpacked, root / relative)


def _download_cifar10(name: str, work: Path, root: Path, missing: list[str]) -> None:
    """Fetch torchvision's CIFAR-10 archive (the original pickled batches) and place the missing batch files."""
    archive = download("cifar10/cifar-10-python.tar.gz", work)
    known = {relative for relative in MD5 if relative.startswith(f"{name}/") and not (root / relative).exists()}
    wanted = set(missing) | known  # both splits from one download of 163 MB
    with tarfile.open(archive) as tar:  # one pass, only the wanted members: no path in the archive is trusted
        for member in tar:
            if member.name in wanted and member.isfile():
                unpacked = work / Path(member.name).name
                with tar.extractfile(member) as source, open(unpacked, "wb") as target:
                    shutil.copyfileobj(source, target)
                _place(unpacked, root / member.name)
                wanted.discard(member.name)
    if wanted & set(missing):
        raise tarfile.TarError(f"the archive lacks {', '.join(sorted(wanted & set(missing)))}")


def _download_text(name: str, work: Path, root: Path, missing: list[str]) -> None:
    """Fetch tiny-shakespeare's input.txt from karpathy/char-rnn."""
    _place(download(f"{name}/input.txt", work), root / name / "input.txt")


# How to fetch each data set, by its folder in the data root: f(name, work folder, data root, missing files).
DOWNLOADERS: dict[str, Callable[[str, Path, Path, list[str]], None]] = {
    "MNIST": _download_idx, "FashionMNIST": _download_idx,
    "cifar-10-batches-py": _download_cifar10, "tinyshakespeare": _download_text,
}


def fetch(relative_paths: list[str]) -> None:
    """Download missing files of one data set into the data root, working in a scratch folder removed afterwards."""
    root = data_root()
    name = relative_paths[0].split("/")[0]
    if name not in DOWNLOADERS:
        raise DataError(f"Missing data under {root}: {', '.join(relative_paths)}; no downloader is known for it: "
                        f"copy the files there or set {DATA_ROOT_ENV} to a folder that holds them.")
    try:
        root.mkdir(parents=True, exist_ok=True)
        work = tempfile.mkdtemp(prefix=".download-", dir=root)  # same file system: finished files move by rename
    except OSError as error:
        raise DownloadError(f"Missing data under {root}: {', '.join(relative_paths)}; the data root is not writable "
                            f"({type(error).__name__}: {error}): set {DATA_ROOT_ENV} to a writable folder or copy "
                            "the files there.", f"{type(error).__name__}: {error}") from None
    try:
        DOWNLOADERS[name](name, Path(work), root, relative_paths)
    except DownloadError as error:
        raise DownloadError(f"Missing data under {root}: {', '.join(relative_paths)}; {error}.", error.cause) from None
    except (OSError, EOFError, tarfile.TarError) as error:  # a bad archive or a full disk while unpacking
        cause = f"{type(error).__name__}: {error}"
        raise DownloadError(f"Missing data under {root}: {', '.join(relative_paths)}; unpacking the download failed "
                            f"({cause}): delete {root / name} and try again, or copy the course's offline data copies "
                            "there.", cause) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_files(relative_paths: list[str]) -> list[Path]:
    """Return the absolute paths of data files, downloading missing ones where possible, all MD5-checked."""
    root = data_root()
    paths = [root / relative for relative in relative_paths]
    missing = [relative for relative, path in zip(relative_paths, paths) if not path.exists()]
    if missing:
        fetch(missing)
    for relative, path in zip(relative_paths, paths):
        expected = expected_md5(relative)
        if expected is not None:
            verify(path, expected)
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


def augment(X: torch.Tensor, padding: int = 4) -> torch.Tensor:
    """Flip each image of a batch (N, C, H, W) with probability 1/2, and shift the batch by up to `padding` pixels."""
    N, _, H, W = X.shape
    flip = torch.rand(N, device=X.device) < 0.5
    X = torch.where(flip.view(-1, 1, 1, 1), X.flip(3), X)
    row, col = torch.randint(0, 2 * padding + 1, (2,)).tolist()
    return torch.nn.functional.pad(X, (padding,) * 4)[:, :, row:row + H, col:col + W]


class TensorLoader:
    """Mini-batches (X, y) from tensors kept whole on one device: no DataLoader, no worker processes.

    For data sets that fit in memory (MNIST is 188 MB as float32), this is the fast path: one
    random permutation per epoch and one indexing operation per batch. `transform` (for example
    `augment`) is applied to each batch of X as it is served.
    """

    def __init__(self, X: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = True,
                 device: torch.device | str | None = None,
                 transform: Callable[[torch.Tensor], torch.Tensor] | None = None):
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
        self.X = X if device is None else X.to(device)
        self.y = y if device is None else y.to(device)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.transform = transform

    def __len__(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        order = torch.randperm(n, device=self.X.device) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                X, y = self.X[start:start + self.batch_size], self.y[start:start + self.batch_size]
            else:
                index = order[start:start + self.batch_size]
                X, y = self.X[index], self.y[index]
            yield (X if self.transform is None else self.transform(X)), y
