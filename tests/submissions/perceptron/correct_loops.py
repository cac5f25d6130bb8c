# expect: full
# about: plain Python loops over the examples, all-ones weights with thresholds n and 1, update through predict on one row
# %% cell: threshold_units
def and_unit(n):
    '''Weights (shape (n,)) and threshold of a threshold unit computing the AND of n binary inputs.'''
    return torch.ones(n), float(n)


def or_unit(n):
    '''Weights (shape (n,)) and threshold of a threshold unit computing the OR of n binary inputs.'''
    return torch.ones(n), 1.0
# %% cell: predict
def predict(X, w, b):
    '''Perceptron predictions (+1.0 or -1.0) for the rows of X, shape (N,).'''
    scores = X @ w + b
    return torch.where(scores > 0, torch.tensor(1.0), torch.tensor(-1.0))
# %% cell: update
def update(w, b, x, y, learning_rate=1.0):
    '''One step of the perceptron rule on the example (x, y); returns the new (w, b).'''
    y_hat = predict(x.unsqueeze(0), w, b)[0]
    if y_hat != y:
        w = w + learning_rate * y * x
        b = b + learning_rate * float(y)
    return w, float(b)
# %% cell: train
def train_perceptron(X, y, max_epochs=100, learning_rate=1.0):
    '''Rosenblatt's perceptron rule; returns (w, b, converged, num_epochs).'''
    w = torch.zeros(X.shape[1])
    b = 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for i in range(len(X)):
            wrong = predict(X[i:i + 1], w, b)[0] != y[i]
            if wrong:
                mistakes += 1
            w, b = update(w, b, X[i], y[i], learning_rate)
        if mistakes == 0:
            return w, b, True, epoch
    return w, b, False, max_epochs
# %% cell: xor_answer
1. A line would need w.(0,1)+b > 0 and w.(1,0)+b > 0, so summing, w1+w2+2b > 0; but (0,0) and (1,1) need b <= 0 and
w1+w2+b <= 0, which sum to w1+w2+2b <= 0: a contradiction. No line separates the two classes.
2. My train_perceptron keeps making at least one mistake every epoch, so it runs until max_epochs and returns
converged=False with whatever weights it had last; the rule only reacts to single mistakes and never measures how
good a line is overall, so it has no notion of a "best" line to stop at (the pocket algorithm would keep one).
3. Hidden units h1 = OR(x1, x2) (weights 1,1, threshold 1) and h2 = AND(x1, x2) (weights 1,1, threshold 2); output
unit fires when h1 - h2 >= 1. Rosenblatt's rule needs a target for each unit, and the hidden units have none;
backprop sends the output error back through differentiable units to give every weight a gradient.
