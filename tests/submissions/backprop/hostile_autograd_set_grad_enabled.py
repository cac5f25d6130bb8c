# expect: zero=test_cross_entropy,test_linear
# base: correct_vectorized
# about: backward passes computed by torch.autograd.grad inside torch.set_grad_enabled(True) (a second route around the no-autograd rule)
# %% cell: cross_entropy
def cross_entropy_forward(S, y):
    return torch.nn.functional.cross_entropy(S, y)


def cross_entropy_backward(S, y):
    with torch.set_grad_enabled(True):
        leaf = S.detach().clone().requires_grad_()
        (grad,) = torch.autograd.grad(torch.nn.functional.cross_entropy(leaf, y), leaf)
    return grad
# %% cell: linear
def linear_forward(X, W, b):
    return X @ W.T + b


def linear_backward(dZ, X, W):
    with torch.set_grad_enabled(True):
        Xl, Wl = X.detach().clone().requires_grad_(), W.detach().clone().requires_grad_()
        bl = torch.zeros(W.shape[0], dtype=W.dtype, requires_grad=True)
        return torch.autograd.grad((dZ * (Xl @ Wl.T + bl)).sum(), (Xl, Wl, bl))
