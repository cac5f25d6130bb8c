"""CIFAR-10 from the course's JPEG copy: decoded once, cached as a tensor file, then loaded in a second.

The data root holds cifar10-jpeg/train.tar and test.tar, each with <split>/<class name>/<NNNN>.jpg.
Decoding the 60,000 JPEGs takes a while, so the first load writes the decoded uint8 images to
<cache dir>/cifar10-<md5>/<split>-<class>.pt (one file per class, so a notebook that needs two
classes decodes only those); later loads read those files. The cache dir is
$COURSE_CACHE_DIR, else ~/.cache/dl-course (the data root may be read-only); delete it at any time.
"""
import io
import os
import tarfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .data import MD5, ensure_files

CACHE_ENV = "COURSE_CACHE_DIR"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def cache_dir() -> Path:
    """The folder for decoded data: $COURSE_CACHE_DIR, else ~/.cache/dl-course."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "dl-course").expanduser()


def _decode_class(tar_path: Path, split: str, class_name: str) -> torch.Tensor:
    """The images (N, 3, 32, 32) uint8 of one class in a cifar10-jpeg tar, in file-name order."""
    prefix = f"{split}/{class_name}/"
    with tarfile.open(tar_path) as archive:
        members = sorted((m for m in archive.getmembers() if m.name.startswith(prefix) and m.name.endswith(".jpg")),
                         key=lambda m: m.name)
        images = [np.asarray(Image.open(io.BytesIO(archive.extractfile(m).read())).convert("RGB")) for m in members]
    if not images:
        raise ValueError(f"{tar_path} holds no images under {prefix}")
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()


def _cached_class(split: str, class_name: str) -> torch.Tensor:
    """The uint8 images of one class of one split, decoded from the tar on first use and cached."""
    relative = f"cifar10-jpeg/{split}.tar"
    cache_path = cache_dir() / f"cifar10-{MD5[relative][:8]}" / f"{split}-{class_name}.pt"
    if cache_path.exists():
        return torch.load(cache_path, weights_only=True)
    (tar_path,) = ensure_files([relative])  # MD5-checked before decoding; the cache is named after that MD5
    X = _decode_class(tar_path, split, class_name)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache_path.with_suffix(".pt.tmp")
    torch.save(X, temporary)
    temporary.replace(cache_path)
    return X


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
    images = [_cached_class(split, name)[:per_class] for name in names]
    y = torch.cat([torch.full((len(X),), label, dtype=torch.long) for label, X in enumerate(images)])
    return torch.cat(images).float().div_(255), y
