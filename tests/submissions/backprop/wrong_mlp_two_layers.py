# expect: zero=test_mlp
# base: correct_vectorized
# about: mlp_forward and mlp_gradients written out for exactly two layers (the visible test's depth, and part 6's [128]); hidden tests with 1 or 3 layers catch it
# %% cell: mlp
def mlp_forward(params, X):
    (W1, b1), (W2, b2) = params[0], params[-1]
    return linear_forward(relu_forward(linear_forward(X, W1, b1)), W2, b2)


def mlp_gradients(params, X, y):
    (W1, b1), (W2, b2) = params[0], params[-1]
    Z1 = linear_forward(X, W1, b1)
    A1 = relu_forward(Z1)
    S = linear_forward(A1, W2, b2)
    loss = cross_entropy_forward(S, y)
    dS = cross_entropy_backward(S, y)
    dA1, dW2, db2 = linear_backward(dS, A1, W2)
    _, dW1, db1 = linear_backward(relu_backward(dA1, Z1), X, W1)
    return loss, [(dW1, db1), (dW2, db2)]
