# expect: zero=test_cross_entropy,test_linear
# base: correct_vectorized
# about: backward passes computed by autograd inside torch.enable_grad()
# %% cell: cross_entropy
def cross_entropy_forward(S, y):
    return torch.nn.functional.cross_entropy(S, y)


def cross_entropy_backward(S, y):
    with torch.enable_grad():
        leaf = S.detach().clone().requires_grad_()
        torch.nn.functional.cross_entropy(leaf, y).backward()
    return leaf.grad
# %% cell: linear
def linear_forward(X, W, b):
    return X @ W.T + b


def linear_backward(dZ, X, W):
    with torch.enable_grad():
        Xl, Wl = X.detach().clone().requires_grad_(), W.detach().clone().requires_grad_()
        bl = torch.zeros(W.shape[0], dtype=W.dtype, requires_grad=True)
        return torch.autograd.grad((dZ * (Xl @ Wl.T + bl)).sum(), (Xl, Wl, bl))
