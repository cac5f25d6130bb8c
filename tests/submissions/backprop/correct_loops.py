# expect: full
# about: einsum and logsumexp-by-hand, a loop over layers that stores activations in dicts, helper functions for one layer, two hidden layers
# %% cell: linear
def linear_forward(X, W, b):
    return torch.einsum("ni,ji->nj", X, W) + b[None, :]


def linear_backward(dZ, X, W):
    dX = torch.einsum("nj,ji->ni", dZ, W)
    dW = torch.einsum("nj,ni->ji", dZ, X)
    db = torch.einsum("nj->j", dZ)
    return (dX, dW, db)
# %% cell: relu
def relu_forward(Z):
    return torch.where(Z > 0, Z, torch.zeros_like(Z))


def relu_backward(dA, Z):
    dZ = dA.clone()
    dZ[Z <= 0] = 0
    return dZ
# %% cell: cross_entropy
def _log_softmax(S):
    shifted = S - S.max(dim=1, keepdim=True)[0]
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()


def cross_entropy_forward(S, y):
    N = S.shape[0]
    log_p = _log_softmax(S)
    return -log_p.gather(1, y.view(-1, 1)).sum() / N


def cross_entropy_backward(S, y):
    N, C = S.shape
    one_hot = torch.zeros(N, C, dtype=S.dtype)
    one_hot[torch.arange(N), y] = 1
    return (_log_softmax(S).exp() - one_hot) / N
# %% cell: mlp
def _layer_forward(A, W, b, last):
    Z = linear_forward(A, W, b)
    return Z, (Z if last else relu_forward(Z))


def mlp_forward(params, X):
    A = X
    for i in range(len(params)):
        _, A = _layer_forward(A, params[i][0], params[i][1], i == len(params) - 1)
    return A


def mlp_gradients(params, X, y):
    L = len(params)
    inputs, pre = {}, {}
    A = X
    for i in range(L):
        inputs[i] = A
        pre[i], A = _layer_forward(A, params[i][0], params[i][1], i == L - 1)
    loss = cross_entropy_forward(A, y)
    grad = cross_entropy_backward(A, y)
    grads = []
    i = L - 1
    while i >= 0:
        if i < L - 1:
            grad = relu_backward(grad, pre[i])
        grad, dW, db = linear_backward(grad, inputs[i], params[i][0])
        grads.insert(0, (dW, db))
        i -= 1
    return loss, grads
# %% cell: train_step
def train_step(params, X, y, learning_rate):
    loss, grads = mlp_gradients(params, X, y)
    for layer in range(len(params)):
        params[layer][0].sub_(learning_rate * grads[layer][0])
        params[layer][1].sub_(learning_rate * grads[layer][1])
    return float(loss)
# %% cell: hyperparameters
hidden_sizes = [100, 50]
num_epochs = 2
batch_size = 100
learning_rate = 0.1
# %% cell: memory_answer
Linear backward needs the layer's input (to form dW) and the weight (to form dX); ReLU backward needs its input Z to
know where the derivative is 1. Dropping them means recomputing the forward pass during the backward pass.
With sizes [784, 100, 50, 10] and batch 100 I keep 100*(784 + 100 + 50 + 10) = 94,400 numbers, about 378 kB in float32.
That is proportional to the batch size and grows with every added layer. torch.no_grad() does not record the graph, so
activations are discarded right after use.
