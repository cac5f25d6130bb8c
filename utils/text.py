"""Text as data: load tiny-shakespeare, map characters to integers and back, split off validation text."""
from collections.abc import Iterable

import torch

from .data import ensure_files


def load_shakespeare() -> str:
    """The tiny-shakespeare text (1,115,394 characters) from the data root, MD5-checked."""
    (path,) = ensure_files(["tinyshakespeare/input.txt"])
    return path.read_text(encoding="utf-8")


class Vocabulary:
    """The sorted characters of a text; encode turns a string into integer ids, decode turns ids back."""

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} characters: {''.join(self.chars)!r})"

    def encode(self, text: str) -> torch.Tensor:
        """The ids of the characters of text, as an int64 tensor; KeyError names an unknown character."""
        try:
            return torch.tensor([self.index[char] for char in text], dtype=torch.long)
        except KeyError as error:
            raise KeyError(f"character {error.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids: Iterable[int] | torch.Tensor) -> str:
        """The string whose characters have these ids."""
        if isinstance(ids, torch.Tensor):
            ids = ids.flatten().tolist()
        return "".join(self.chars[i] for i in ids)


def split_text(data: torch.Tensor, val_fraction: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, val): the first part of a sequence and its last val_fraction, in order (no shuffling)."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    num_train = len(data) - int(round(len(data) * val_fraction))
    return data[:num_train], data[num_train:]
