# expect: zero=test_train_visible,test_train_separable
# base: correct_vectorized
# about: the mistake counter is set once before the epochs instead of per epoch, so separable data never "converges" (non-separable data still stops at the limit, as asked)
# %% cell: train
def train_perceptron(X, y, max_epochs=100, learning_rate=1.0):
    n, d = X.shape
    w, b = torch.zeros(d, dtype=X.dtype), 0.0
    epochs = 0
    converged = False
    errors = 0
    while epochs < max_epochs and not converged:
        epochs += 1
        for x_i, y_i in zip(X, y):
            if (1.0 if float(torch.dot(w, x_i)) + b > 0 else -1.0) != float(y_i):
                errors += 1
            w, b = update(w, b, x_i, y_i, learning_rate)
        converged = errors == 0
    return w, float(b), converged, int(epochs)
