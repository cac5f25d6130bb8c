import torch
from matplotlib.collections import PathCollection

import utils
from utils.plot2d import grid_2d


def two_blobs():
    X = torch.tensor([[0.0, 0.0], [1.0, 0.5], [0.5, 1.0], [3.0, 3.0], [4.0, 3.5]])
    y = torch.tensor([-1, -1, -1, 1, 1])
    return X, y


def test_grid_2d_covers_the_data_with_a_margin():
    X, _ = two_blobs()
    points, xx, yy = grid_2d(X, resolution=11, margin=0.5)
    assert points.shape == (121, 2) and xx.shape == yy.shape == (11, 11)
    assert points[:, 0].min() == -0.5 and points[:, 0].max() == 4.5
    assert points[:, 1].min() == -0.5 and points[:, 1].max() == 4.0
    assert torch.equal(points[:, 0].reshape(11, 11), xx) and torch.equal(points[:, 1].reshape(11, 11), yy)


def test_plot_decision_boundary_draws_regions_boundary_and_points_by_label():
    X, y = two_blobs()
    calls = []

    def predict(points):
        calls.append(points.shape)
        return torch.where(points.sum(dim=1) > 4, 1, -1)

    ax = utils.plot_decision_boundary(predict, X, y, title="a line", resolution=50)
    assert calls == [(2500, 2)], "predict should be called once on the whole grid"
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sorted(len(s.get_offsets()) for s in scatters) == [2, 3], "one scatter per class, with its points"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["y = -1", "y = 1"]
    assert len(ax.collections) > len(scatters), "the regions and the boundary should be drawn"
    assert ax.get_title() == "a line" and ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    low, high = ax.get_xlim()
    assert low < X[:, 0].min() and high > X[:, 0].max()


def test_plot_decision_boundary_with_a_single_predicted_class_draws_only_points():
    X, y = two_blobs()
    ax = utils.plot_decision_boundary(lambda points: torch.zeros(len(points)), X, y, resolution=10)
    assert all(isinstance(c, PathCollection) for c in ax.collections) and len(ax.collections) == 2


def test_plot_decision_boundary_draws_into_a_given_axis():
    import matplotlib.pyplot as plt

    X, y = two_blobs()
    figure, axes = plt.subplots(1, 2)
    returned = utils.plot_decision_boundary(lambda p: (p[:, 0] > 2).float(), X, y, ax=axes[1], resolution=20)
    assert returned is axes[1] and not axes[0].collections
