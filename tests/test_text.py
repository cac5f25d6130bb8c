import loopback
import pytest
import torch

import utils


def test_vocabulary_is_sorted_and_round_trips():
    vocab = utils.Vocabulary("hello world")
    assert vocab.chars == [" ", "d", "e", "h", "l", "o", "r", "w"] and len(vocab) == 8
    ids = vocab.encode("hello")
    assert ids.dtype == torch.int64 and ids.tolist() == [3, 2, 4, 4, 5]
    assert vocab.decode(ids) == "hello"
    assert vocab.decode([7, 5, 6, 4, 1]) == "world"
    assert vocab.decode(torch.tensor([[3, 2], [4, 4]])) == "hell", "decode should read a tensor of any shape in order"
    assert "8 characters" in repr(vocab)


def test_vocabulary_names_an_unknown_character():
    with pytest.raises(KeyError, match="'z' is not in the vocabulary"):
        utils.Vocabulary("abc").encode("abz")


def test_split_text_keeps_the_last_part_for_validation_in_order():
    train, val = utils.split_text(torch.arange(100))
    assert train.tolist() == list(range(90)) and val.tolist() == list(range(90, 100))
    train, val = utils.split_text(torch.arange(7), val_fraction=0.3)
    assert len(train) + len(val) == 7 and val.tolist() == [5, 6]
    with pytest.raises(ValueError, match="between 0 and 1"):
        utils.split_text(torch.arange(10), val_fraction=1.0)


def test_load_shakespeare_downloads_checks_md5_and_says_what_is_missing(monkeypatch, tmp_path):
    root, served = tmp_path / "data", tmp_path / "mirror"
    overrides = loopback.mirror(served)
    monkeypatch.setenv("COURSE_DATA_ROOT", str(root))
    for name, value in loopback.offline_env(loopback.closed_port_url(), overrides).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(utils.DataError, match=r"tinyshakespeare/input.txt; the download of .* failed \(URLError: .*Connection refused"):
        utils.load_shakespeare()
    assert loopback.files_under(root) == [], "nothing half-written is left in the data root"

    with loopback.serve(served) as url:
        monkeypatch.setenv("COURSE_DATA_MIRROR", url)
        assert utils.load_shakespeare() == loopback.TEXT
    assert loopback.files_under(root) == ["tinyshakespeare", "tinyshakespeare/input.txt"]
    (root / "tinyshakespeare" / "input.txt").write_text(loopback.TEXT + "tampered", encoding="utf-8")
    with pytest.raises(utils.DataError, match="input.txt is corrupt"):
        utils.load_shakespeare()


def test_load_shakespeare_from_the_data_root():
    text = utils.load_shakespeare()
    assert len(text) == 1_115_394 and text.startswith("First Citizen:")
    vocab = utils.Vocabulary(text)
    assert len(vocab) == 65
    assert vocab.decode(vocab.encode(text[:1000])) == text[:1000]
