import math

import pytest
import torch

import utils


def random_covariance(dim, seed):
    generator = torch.Generator().manual_seed(seed)
    A = torch.randn(dim, dim, generator=generator, dtype=torch.float64)
    return A @ A.T + 0.1 * torch.eye(dim, dtype=torch.float64)


def test_identical_gaussians_are_at_distance_zero():
    cov = random_covariance(6, 0)
    mean = torch.arange(6.0)
    assert utils.gaussian_frechet_distance(mean, cov, mean, cov) == pytest.approx(0.0, abs=1e-8)


def test_diagonal_gaussians_match_the_closed_form():
    # For commuting (here diagonal) covariances: |m1 - m2|^2 + sum (sqrt(s1) - sqrt(s2))^2.
    mean_a, mean_b = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, -1.0, 2.0])
    var_a, var_b = torch.tensor([1.0, 4.0, 9.0]), torch.tensor([4.0, 1.0, 0.25])
    expected = 1 + 4 + 0 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 0.5) ** 2
    actual = utils.gaussian_frechet_distance(mean_a, torch.diag(var_a), mean_b, torch.diag(var_b))
    assert actual == pytest.approx(expected, rel=1e-9)


def test_non_commuting_covariances_match_the_matrix_square_root():
    cov_a, cov_b = random_covariance(4, 1), random_covariance(4, 2)
    values, vectors = torch.linalg.eig(cov_a @ cov_b)   # eigenvalues of A B are real and positive
    expected = (cov_a.trace() + cov_b.trace() - 2 * values.real.sqrt().sum()).item()
    actual = utils.gaussian_frechet_distance(torch.zeros(4), cov_a, torch.zeros(4), cov_b)
    assert actual == pytest.approx(expected, rel=1e-7)
    assert actual == pytest.approx(utils.gaussian_frechet_distance(torch.zeros(4), cov_b, torch.zeros(4), cov_a), rel=1e-7)


def test_frechet_distance_of_samples_estimates_the_gaussians_distance():
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(20_000, 2, generator=generator)
    b = torch.randn(20_000, 2, generator=generator) * torch.tensor([2.0, 1.0]) + torch.tensor([3.0, 0.0])
    expected = 9 + (1 - 2) ** 2
    assert utils.frechet_distance(a, b) == pytest.approx(expected, rel=0.03)
    assert utils.frechet_distance(a[:10_000], a[10_000:]) < 0.01
    shift = torch.tensor([5.0, -7.0])
    assert utils.frechet_distance(a + shift, b + shift) == pytest.approx(utils.frechet_distance(a, b), rel=1e-6)


def test_frechet_distance_handles_one_feature():
    a, b = torch.tensor([[0.0], [2.0]]), torch.tensor([[10.0], [14.0]])   # means 1 and 12, variances 2 and 8
    assert utils.frechet_distance(a, b) == pytest.approx(121 + (math.sqrt(2) - math.sqrt(8)) ** 2)


def test_label_entropy_in_bits():
    confident = torch.eye(10) * 100                       # one sample of each class
    assert utils.label_entropy(confident) == pytest.approx(math.log2(10), rel=1e-6)
    assert utils.label_entropy(confident[[3] * 10]) == pytest.approx(0.0, abs=1e-6)   # all the same class
    two_classes = confident[[0, 1] * 5]
    assert utils.label_entropy(two_classes) == pytest.approx(1.0, rel=1e-6)


def test_feature_net_shapes_and_extract_features_matches():
    torch.manual_seed(0)
    model = utils.FeatureNet()
    X = torch.randn(7, 1, 28, 28)
    assert model(X).shape == (7, 10) and model.features(X).shape == (7, 64)
    model.train()
    features = utils.extract_features(model, X, batch_size=3)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(features, model.features(X))
    model.train()
    utils.extract_features(model, X)
    assert model.training, "extract_features should restore training mode"


def test_train_feature_net_learns_a_separable_problem():
    torch.manual_seed(0)
    X = torch.randn(256, 1, 28, 28) * 0.1
    y = torch.arange(256) % 2
    X[y == 1, :, :14] += 1.0                                # class 1: bright top half
    model = utils.train_feature_net(X, y, num_epochs=3, batch_size=64)
    assert not model.training
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    assert accuracy > 0.95
    features = utils.extract_features(model, X)
    assert utils.frechet_distance(features[y == 0], features[y == 1]) > 10 * utils.frechet_distance(features[y == 0][:64], features[y == 0][64:])


def test_the_course_judge_loads_and_reads_digits():
    """pretrained/mnist_feature_net.pt: lecture 06's fixed judge, its record, and its accuracy on a handful of digits."""
    model, record = utils.load_feature_net()
    assert not model.training and record["test_accuracy"] > 0.98 and record["input"].endswith("[-1, 1]")
    assert record["command"].startswith("python scripts/train_feature_net.py")
    X, y = utils.load_mnist("test", limit=500, standardize=False)
    with torch.no_grad():
        accuracy = (model(X * 2 - 1).argmax(dim=1) == y).float().mean().item()
    assert accuracy > 0.95, f"the judge reads only {accuracy:.1%} of 500 test digits"


def test_a_missing_or_damaged_judge_says_how_to_restore_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no MNIST judge at .*git checkout pretrained/.*train_feature_net.py"):
        utils.load_feature_net(tmp_path / "absent.pt")
    damaged = tmp_path / "damaged.pt"
    damaged.write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="unreadable .*git checkout pretrained/"):
        utils.load_feature_net(damaged)
