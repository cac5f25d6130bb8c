"""CIFAR-10: the original pickled batches (downloaded where a network is reachable), else the course's JPEG copy.

`load_cifar10` takes, in this order: the decoded cache; torchvision's files in <data root>/cifar-10-batches-py/
(the original, lossless pixels), downloading torchvision's archive there when they are missing; the JPEG copy
<data root>/cifar10-jpeg/{train,test}.tar (offline machines and CI; JPEG changes the pixels a little). It prints
one line naming the source it used. Decoded images are cached per class as uint8 tensors in
<cache dir>/cifar10-<source>-<md5>/<split>-<class>.pt, one folder per source, so the two never mix; the cache
dir is $COURSE_CACHE_DIR, else ~/.cache/dl-course (the data root may be read-only); delete it at any time.
"""
import io
import pickle
import tarfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .config import settings
from .data import DataError, DownloadError, data_root, ensure_files, expected_md5

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
ORIGINAL, JPEG = "original", "jpeg"
BATCHES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}


def cache_dir() -> Path:
    """The folder for decoded data: $COURSE_CACHE_DIR, else ~/.cache/dl-course."""
    return settings().cache_dir


def _source_files(source: str, split: str) -> list[str]:
    """The data-root paths one split of one source is read from."""
    if source == ORIGINAL:
        return [f"cifar-10-batches-py/{name}" for name in BATCHES[split]] + ["cifar-10-batches-py/batches.meta"]
    return [f"cifar10-jpeg/{split}.tar"]


def _cache_path(source: str, split: str, class_name: str) -> Path:
    """Where the decoded images of one class are cached: keyed by source and by the MD5 of its first file."""
    return cache_dir() / f"cifar10-{source}-{expected_md5(_source_files(source, split)[0])[:8]}" / f"{split}-{class_name}.pt"


def _save(X: torch.Tensor, path: Path) -> None:
    """Write a tensor file in one step (temporary name, then rename), so a crash leaves no broken cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".pt.tmp")
    torch.save(X, temporary)
    temporary.replace(path)


def _decode_original(split: str) -> dict[str, torch.Tensor]:
    """The uint8 images (N, 3, 32, 32) of every class of a split, read from the MD5-checked pickled batches."""
    *batches, meta = ensure_files(_source_files(ORIGINAL, split))
    with open(meta, "rb") as file:
        names = tuple(pickle.load(file, encoding="latin1")["label_names"])
    if names != CIFAR10_CLASSES:
        raise DataError(f"{meta} names the classes {names}, expected {CIFAR10_CLASSES}: delete {meta.parent} and load again.")
    images, labels = [], []
    for path in batches:
        with open(path, "rb") as file:
            entry = pickle.load(file, encoding="latin1")
        images.append(np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
        labels.extend(entry["labels"])
    X, y = torch.from_numpy(np.concatenate(images)), torch.tensor(labels)
    return {name: X[y == label].contiguous() for label, name in enumerate(CIFAR10_CLASSES)}


def _decode_jpeg(split: str, class_name: str) -> torch.Tensor:
    """The images (N, 3, 32, 32) uint8 of one class in the MD5-checked cifar10-jpeg tar, in file-name order."""
    (tar_path,) = ensure_files(_source_files(JPEG, split))
    prefix = f"{split}/{class_name}/"
    with tarfile.open(tar_path) as archive:
        members = sorted((m for m in archive.getmembers() if m.name.startswith(prefix) and m.name.endswith(".jpg")),
                         key=lambda m: m.name)
        images = [np.asarray(Image.open(io.BytesIO(archive.extractfile(m).read())).convert("RGB")) for m in members]
    if not images:
        raise ValueError(f"{tar_path} holds no images under {prefix}")
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()


def _choose_source(split: str, names: Sequence[str]) -> tuple[str, str]:
    """The source to read and how it was reached: cache, original files, a download, else the JPEG copy."""
    for source in (ORIGINAL, JPEG):
        if all(_cache_path(source, split, name).exists() for name in names):
            return source, f"decoded cache {_cache_path(source, split, names[0]).parent}"
    root = data_root()
    if all((root / relative).exists() for relative in _source_files(ORIGINAL, split)):
        return ORIGINAL, f"{root / 'cifar-10-batches-py'}"
    try:
        ensure_files(_source_files(ORIGINAL, split))
        return ORIGINAL, f"downloaded to {root / 'cifar-10-batches-py'}"
    except DownloadError as error:
        jpeg = root / _source_files(JPEG, split)[0]
        if not jpeg.exists():
            raise DataError(f"{str(error).rstrip('.')}; the offline JPEG copy {jpeg} is missing too.") from None
        return JPEG, f"{jpeg}; the original was not downloaded: {error.cause}"


def _cached_class(source: str, split: str, class_name: str) -> torch.Tensor:
    """The uint8 images of one class of one split from one source, decoded on first use and cached."""
    cache_path = _cache_path(source, split, class_name)
    if cache_path.exists():
        return torch.load(cache_path, weights_only=True)
    if source == JPEG:
        X = _decode_jpeg(split, class_name)
        _save(X, cache_path)
        return X
    decoded = _decode_original(split)  # one pass over the batches caches every class of the split
    for name, images in decoded.items():
        _save(images, _cache_path(source, split, name))
    return decoded[class_name]


def load_cifar10(split: str = "train", classes: Sequence[str] | None = None,
                 per_class: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """CIFAR-10 images X (N, 3, 32, 32) float32 in [0, 1] and labels y (N,) int64.

    With `classes`, only those classes are kept and relabelled 0, 1, ... in the order given;
    with `per_class`, only the first `per_class` images of each class.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    names = tuple(classes) if classes is not None else CIFAR10_CLASSES
    unknown = [name for name in names if name not in CIFAR10_CLASSES]
    if unknown:
        raise ValueError(f"unknown CIFAR-10 classes {unknown}; the classes are {CIFAR10_CLASSES}")
    source, how = _choose_source(split, names)
    what = "the original pixels (torchvision's pickled batches)" if source == ORIGINAL else "the JPEG copy"
    print(f"CIFAR-10 {split}: {what}, from {how}")
    images = [_cached_class(source, split, name)[:per_class] for name in names]
    y = torch.cat([torch.full((len(X),), label, dtype=torch.long) for label, X in enumerate(images)])
    return torch.cat(images).float().div_(255), y
