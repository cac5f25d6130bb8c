# expect: full
# about: weights 1/n with thresholds 1 and 1/(2n), sign-based prediction, a mistake mask computed per example, while loop
# %% cell: threshold_units
def and_unit(n):
    return torch.full((n,), 1.0 / n), 1.0 - 0.5 / n


def or_unit(n):
    return torch.full((n,), 1.0 / n), 0.5 / n
# %% cell: predict
def predict(X, w, b):
    s = torch.mv(X, w) + b
    return (s > 0).float() * 2 - 1
# %% cell: update
def update(w, b, x, y, learning_rate=1.0):
    margin = float(torch.dot(w, x)) + b
    guess = 1.0 if margin > 0 else -1.0
    if guess == float(y):
        return w.clone(), float(b)
    step = learning_rate * float(y)
    return w + step * x, float(b + step)
# %% cell: train
def train_perceptron(X, y, max_epochs=100, learning_rate=1.0):
    n, d = X.shape
    w, b = torch.zeros(d, dtype=X.dtype), 0.0
    epochs = 0
    converged = False
    while epochs < max_epochs and not converged:
        epochs += 1
        errors = 0
        for x_i, y_i in zip(X, y):
            if (1.0 if float(torch.dot(w, x_i)) + b > 0 else -1.0) != float(y_i):
                errors += 1
            w, b = update(w, b, x_i, y_i, learning_rate)
        converged = errors == 0
    return w, float(b), converged, int(epochs)
# %% cell: xor_answer
XOR puts (0,0),(1,1) in one class and (0,1),(1,0) in the other. Any half-plane is convex; the midpoint (0.5,0.5) of
the positive pair and of the negative pair is the same point, which would have to be on both sides. So no w, b works.
My perceptron never has a mistake-free epoch, so it stops at max_epochs with converged=False; the rule updates on
every mistake and keeps cycling, with no record of which line made fewest mistakes, so it cannot know it found the best.
Two layers: h1 = OR (1,1; threshold 1), h2 = AND (1,1; threshold 2), output = h1 AND NOT h2 (weights 1, -1; threshold 1).
The perceptron rule has no target for hidden units and a step function has zero gradient, so it cannot assign blame to
the first layer; backprop uses smooth activations and the chain rule to compute each hidden weight's gradient.
