# expect: full
# about: integer weights with thresholds n-0.5 and 0.5, predict via sign() fix-up, update via a mask, epochs counted by a for-else
# %% cell: threshold_units
def and_unit(n):
    weights = torch.ones(n, dtype=torch.float32)
    return weights, n - 0.5


def or_unit(n):
    return 2 * torch.ones(n, dtype=torch.float32), 0.5
# %% cell: predict
def predict(X, w, b):
    s = torch.sign(X @ w + b)
    s[s == 0] = -1.0
    return s.to(torch.float32)
# %% cell: update
def update(w, b, x, y, learning_rate=1.0):
    mistake = float(predict(x[None, :], w, b).item() != float(y))
    new_w = w + mistake * learning_rate * y * x
    new_b = b + mistake * learning_rate * float(y)
    return new_w, float(new_b)
# %% cell: train
def _one_epoch(X, y, w, b, learning_rate):
    mistakes = 0
    for k in range(X.shape[0]):
        mistakes += int(predict(X[k].reshape(1, -1), w, b)[0].item() != y[k].item())
        w, b = update(w, b, X[k], y[k], learning_rate)
    return w, b, mistakes


def train_perceptron(X, y, max_epochs=100, learning_rate=1.0):
    w, b = torch.zeros(X.size(1)), 0.0
    for epoch in range(max_epochs):
        w, b, mistakes = _one_epoch(X, y, w, b, learning_rate)
        if mistakes == 0:
            break
    else:
        return w, b, False, max_epochs
    return w, b, True, epoch + 1
# %% cell: xor_answer
Suppose w, b classify XOR. Then b <= 0, w1 + b > 0, w2 + b > 0, w1 + w2 + b <= 0. Adding the middle two gives
w1 + w2 + 2b > 0, but adding the others gives w1 + w2 + 2b <= 0. Contradiction: XOR is not linearly separable.
On XOR my training loop runs all max_epochs and reports converged=False; each mistake tilts the line, which then
misclassifies another point, so it cycles forever and the rule has no stopping criterion other than zero mistakes.
XOR = AND(OR(x1, x2), NAND(x1, x2)): first layer OR (weights 1, 1, threshold 1) and NAND (weights -1, -1, threshold -1),
second layer AND (1, 1, threshold 2). The first layer's units have no target to compare with, so Rosenblatt's rule
cannot update them; backprop propagates the loss's gradient through differentiable activations to every layer.
