# expect: full
# about: backward via transposes of transposes, softmax with logsumexp, recursive mlp_forward, a wide 256-unit layer with batch 128 and lr 0.2
# %% cell: linear
def linear_forward(X, W, b):
    return torch.addmm(b, X, W.t())


def linear_backward(dZ, X, W):
    return torch.mm(dZ, W), torch.mm(X.t(), dZ).t(), dZ.sum(0)
# %% cell: relu
def relu_forward(Z):
    return torch.maximum(Z, torch.zeros((), dtype=Z.dtype))


def relu_backward(dA, Z):
    return torch.where(Z > 0, dA, torch.zeros_like(dA))
# %% cell: cross_entropy
def cross_entropy_forward(S, y):
    lse = torch.logsumexp(S, dim=1)
    return torch.mean(lse - S[range(S.shape[0]), y])


def cross_entropy_backward(S, y):
    probs = torch.exp(S - torch.logsumexp(S, dim=1, keepdim=True))
    dS = probs.clone()
    dS[torch.arange(S.shape[0]), y] = dS[torch.arange(S.shape[0]), y] - 1.0
    return dS / S.shape[0]
# %% cell: mlp
def mlp_forward(params, X):
    if len(params) == 1:
        return linear_forward(X, *params[0])
    return mlp_forward(params[1:], relu_forward(linear_forward(X, *params[0])))


def _forward_keep(params, X):
    kept = []
    A = X
    for k, (W, b) in enumerate(params):
        Z = linear_forward(A, W, b)
        kept.append({"input": A, "Z": Z, "W": W})
        A = Z if k == len(params) - 1 else relu_forward(Z)
    return A, kept


def mlp_gradients(params, X, y):
    S, kept = _forward_keep(params, X)
    loss = cross_entropy_forward(S, y)
    dZ = cross_entropy_backward(S, y)
    grads = []
    for k in range(len(kept) - 1, -1, -1):
        dA, dW, db = linear_backward(dZ, kept[k]["input"], kept[k]["W"])
        grads.append((dW, db))
        if k > 0:
            dZ = relu_backward(dA, kept[k - 1]["Z"])
    grads.reverse()
    return loss, grads
# %% cell: train_step
def train_step(params, X, y, learning_rate):
    loss, grads = mlp_gradients(params, X, y)
    for p, g in zip(params, grads):
        for tensor, gradient in zip(p, g):
            tensor.add_(gradient, alpha=-learning_rate)
    return loss.item()
# %% cell: hyperparameters
hidden_sizes = [256]
num_epochs = 2
batch_size = 128
learning_rate = 0.2
# %% cell: memory_answer
For a linear layer the backward pass needs the input activations (dW = dZ^T A) and the weights (dA = dZ W); for a ReLU
it needs the sign of its input. Without them it would have to run the forward pass again. For [784, 256, 10] with
batch 128: 128*(784 + 256 + 10) = 134,400 floats, about 0.5 MB. Linear in batch size and in depth. Under no_grad
there is no backward pass, so nothing needs to be kept.
