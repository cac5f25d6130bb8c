import torch
from matplotlib.figure import Figure
from torch import nn

import utils


def visible_axes(figure):
    return [ax for ax in figure.axes if ax.images or ax.lines]


def test_show_images_draws_one_titled_axis_per_image():
    figure = utils.show_images(torch.rand(5, 1, 28, 28), titles=list("abcde"), ncols=3, title="digits")
    assert isinstance(figure, Figure)
    axes = visible_axes(figure)
    assert len(axes) == 5 and [ax.get_title() for ax in axes] == list("abcde")
    assert figure._suptitle.get_text() == "digits"


def test_show_images_handles_color_and_plain_images():
    assert len(visible_axes(utils.show_images(torch.rand(2, 3, 8, 8)))) == 2
    assert len(visible_axes(utils.show_images(torch.rand(3, 8, 8)))) == 3


def test_plot_history_labels_its_panels_and_skips_nan_accuracy():
    history = {"epoch": [1, 2], "train_loss": [1.0, 0.5], "val_loss": [1.1, 0.6],
               "train_acc": [float("nan")] * 2, "val_acc": []}
    (loss_ax,) = utils.plot_history(history).axes
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "loss"
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]


def test_plot_history_draws_a_history_by_step_with_a_panel_per_metric():
    history = utils.History()
    for step in range(1, 5):
        history.append(step=step, d_loss=1.0 / step, g_loss=2.0, fid=10.0 - step)
    loss_ax, fid_ax = utils.plot_history(history, title="GAN").axes
    assert loss_ax.get_xlabel() == "step" and [line.get_label() for line in loss_ax.lines] == ["d_loss", "g_loss"]
    assert fid_ax.get_title() == "fid" and len(fid_ax.lines) == 1


def test_live_plot_prints_a_line_outside_a_notebook(capsys):
    history = utils.History()
    history.append(epoch=1, train_loss=0.5, seconds=1.0)
    utils.LivePlot()(history, 3)
    assert capsys.readouterr().out.strip() == "epoch 1/3  train_loss 0.5000  1.0 s"


def test_show_filters_uses_a_symmetric_diverging_scale():
    weight = torch.randn(6, 1, 5, 5)
    axes = visible_axes(utils.show_filters(weight))
    assert len(axes) == 6
    low, high = axes[0].images[0].get_clim()
    assert low == -high == -weight.abs().max().item()


def test_show_feature_maps_one_axis_per_channel():
    assert len(visible_axes(utils.show_feature_maps(torch.rand(4, 10, 10)))) == 4


def test_show_misclassified_titles_true_and_predicted():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    with torch.no_grad():
        model[1].weight.zero_()
        model[1].bias.copy_(torch.tensor([0.0, 0.0, 1.0]))  # always predicts class 2
    X, y = torch.rand(4, 1, 2, 2), torch.tensor([2, 0, 1, 2])
    axes = visible_axes(utils.show_misclassified(model, X, y, class_names=["a", "b", "c"]))
    assert [ax.get_title() for ax in axes] == ["a -> c", "b -> c"]
    model[1].bias.data = torch.tensor([0.0, 0.0, -1.0])
    assert isinstance(utils.show_misclassified(model, X, torch.tensor([0, 0, 0, 0])), Figure)
