import math

import pytest
import torch
from torch import nn

import utils


def separable_data(n=256, seed=0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=generator)
    y = (X[:, 0] + X[:, 1] > 0).long()
    return X, y


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))


def test_fit_learns_and_records_history(capsys):
    X, y = separable_data()
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loader = utils.TensorLoader(X, y, batch_size=32)
    history = utils.fit(model, loader, optimizer, 5, val_loader=utils.TensorLoader(X, y, 64, shuffle=False), progress=False)
    assert history["epoch"] == [1, 2, 3, 4, 5]
    assert all(len(history[key]) == 5 for key in ("train_loss", "train_acc", "val_loss", "val_acc", "seconds"))
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_acc"][-1] > 0.95
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 5 and printed[-1].startswith("epoch 5/5  train_loss")


def test_fit_without_classification_records_nan_accuracy():
    X = torch.randn(64, 3)
    y = X.sum(dim=1, keepdim=True)
    model = nn.Linear(3, 1)
    history = utils.fit(model, utils.TensorLoader(X, y, 16), torch.optim.SGD(model.parameters(), lr=0.1), 2,
                        loss_fn=nn.functional.mse_loss, progress=False)
    assert history["train_loss"][1] < history["train_loss"][0]
    assert all(math.isnan(value) for value in history["train_acc"])


def test_evaluate_matches_a_direct_computation():
    X, y = separable_data(100)
    model = make_model()
    metrics = utils.evaluate(model, utils.TensorLoader(X, y, 7, shuffle=False))
    with torch.no_grad():
        outputs = model(X)
    assert math.isclose(metrics["loss"], nn.functional.cross_entropy(outputs, y).item(), rel_tol=1e-5)
    assert math.isclose(metrics["accuracy"], (outputs.argmax(1) == y).float().mean().item(), rel_tol=1e-6)
    assert model.training, "evaluate should restore training mode"


def test_checkpoint_round_trip(tmp_path):
    model, other = make_model(), nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.randn(4, 2)).sum().backward()
    optimizer.step()
    utils.save_checkpoint(tmp_path / "run" / "model.pt", model, optimizer, 3, utils.History({"epoch": [1, 2, 3]}))
    other_optimizer = torch.optim.Adam(other.parameters())
    epoch, history = utils.load_checkpoint(tmp_path / "run" / "model.pt", other, other_optimizer)
    assert epoch == 3 and history.columns == {"epoch": [1.0, 2.0, 3.0]} and history.steps is None
    for a, b in zip(model.parameters(), other.parameters()):
        assert torch.equal(a, b)
    assert other_optimizer.state_dict()["state"], "optimizer state should be restored"


def test_fit_resumes_from_a_checkpoint(tmp_path, capsys):
    X, y = separable_data()
    path = tmp_path / "model.pt"
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    utils.fit(model, utils.TensorLoader(X, y, 32), optimizer, 2, checkpoint_path=path, progress=False)
    resumed = make_model()
    history = utils.fit(resumed, utils.TensorLoader(X, y, 32), torch.optim.SGD(resumed.parameters(), lr=0.1), 3,
                        checkpoint_path=path, progress=False)
    output = capsys.readouterr().out
    assert "Resumed from" in output and "after epoch 2" in output
    assert history["epoch"] == [1, 2, 3]
    assert output.count("epoch 3/3") == 1 and output.count("epoch 1/") == 1, "only epoch 3 should be trained again"


def test_predict_matches_the_model_and_restores_mode():
    model = make_model()
    X = torch.randn(50, 2)
    with torch.no_grad():
        expected = model(X)
    torch.testing.assert_close(utils.predict(model, X, batch_size=8), expected)
    assert model.training


def test_in_notebook_is_false_under_pytest():
    assert utils.in_notebook() is False


def test_fit_with_bf16_autocast_and_channels_last_still_learns():
    torch.manual_seed(0)
    X = torch.randn(128, 1, 8, 8)
    y = (X.mean(dim=(1, 2, 3)) > 0).long()
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    history = utils.fit(model, utils.TensorLoader(X, y, 32), torch.optim.Adam(model.parameters(), lr=1e-2), 8,
                        progress=False, autocast_dtype=torch.bfloat16, channels_last=True)
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert model[0].weight.dtype == torch.float32, "autocast must keep the parameters in float32"


def test_history_rows_pad_missing_columns_with_nan():
    history = utils.History()
    history.append(epoch=1, train_loss=torch.tensor(0.5))
    history.append(epoch=2, val_acc=0.9)
    assert len(history) == 2 and history.keys() == ["epoch", "train_loss", "val_acc"]
    assert history["train_loss"][0] == 0.5 and math.isnan(history["train_loss"][1]) and math.isnan(history["val_acc"][0])
    assert "val_acc" in history and history.get("missing") is None
    restored = utils.History.from_state_dict(history.state_dict())
    assert restored.keys() == history.keys() and restored["val_acc"][1] == 0.9


def test_fit_runs_a_custom_step_with_validation_epoch_hooks_and_step_records():
    X, y = separable_data()
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    started = []

    def step(batch):
        X_batch, y_batch = batch
        loss = nn.functional.cross_entropy(model(X_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": loss, "margin": 1.0}

    def validate(model):
        return {"loss": nn.functional.cross_entropy(model(X), y).item(), "extra": 7.0}

    history = utils.fit(model, utils.TensorLoader(X, y, 64), optimizer, 3, step=step, validate=validate,
                        before_epoch=started.append, keep_steps=True, report=None, progress=False)
    assert started == [1, 2, 3]
    assert history.keys() == ["epoch", "train_loss", "train_margin", "val_loss", "val_extra", "seconds"]
    assert history["train_margin"] == [1.0] * 3 and history["val_extra"] == [7.0] * 3
    assert history.steps["step"] == list(range(1, 13)) and len(history.steps["loss"]) == 12
    epoch_mean = sum(history.steps["loss"][:4]) / 4
    assert math.isclose(history["train_loss"][0], epoch_mean, rel_tol=1e-5), "equal batches: the epoch's mean"
    assert history["val_loss"][-1] < history["val_loss"][0]


def test_fit_weights_the_epoch_mean_by_batch_size():
    X, y = torch.zeros(5, 2), torch.zeros(5, dtype=torch.long)
    model = make_model()
    losses = iter([1.0, 4.0])   # a batch of 4, then a batch of 1
    history = utils.fit(model, utils.TensorLoader(X, y, 4, shuffle=False), None, 1,
                        step=lambda batch: {"loss": next(losses)}, report=None, progress=False)
    assert history["train_loss"] == [(4 * 1.0 + 1 * 4.0) / 5]


def test_fit_steps_a_one_cycle_schedule_after_every_batch():
    torch.manual_seed(0)
    X, y = torch.randn(64, 4), torch.randint(0, 2, (64,))
    model = nn.Linear(4, 2)
    loader = utils.TensorLoader(X, y, 16)
    optimizer, scheduler = utils.one_cycle_adamw(model, total_steps=2 * len(loader), max_lr=0.01)
    rates, supervised = [], utils.supervised_step(model, optimizer)

    def step(batch):
        rates.append(optimizer.param_groups[0]["lr"])
        return supervised(batch)

    utils.fit(model, loader, optimizer, 2, step=step, scheduler=scheduler, schedule_every_step=True, progress=False,
              report=None)
    peak = rates.index(max(rates))
    assert len(rates) == 8 and max(rates) == pytest.approx(0.01) and peak <= 2, f"one-cycle should peak early: {rates}"
    assert rates[-1] < rates[peak] / 10 and scheduler.last_epoch == 8, "the schedule moves once per batch, not per epoch"


def test_tbptt_step_under_bf16_autocast_learns():
    torch.manual_seed(0)
    data = torch.arange(400) % 5                              # a cycle 0 1 2 3 4 0 1 ...: easy to predict
    X, Y = utils.make_batches(data, 4, 10)
    model = utils.CharLSTM(5, 8, 16, num_layers=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    step = utils.TBPTTStep(model, optimizer, autocast_dtype=torch.bfloat16)
    history = utils.fit(model, list(zip(X, Y)), optimizer, 6, step=step, before_epoch=step.reset, progress=False,
                        report=None)
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert all(p.dtype == torch.float32 for p in model.parameters()), "autocast must keep the parameters in float32"
