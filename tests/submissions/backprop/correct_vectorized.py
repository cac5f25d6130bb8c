# expect: full
# about: textbook matrix form, a forward pass that keeps (X, Z) per layer in a list, one hidden layer of 128 for 2 epochs
# %% cell: linear
def linear_forward(X, W, b):
    '''Z = X W^T + b for X (N, d_in), W (d_out, d_in), b (d_out,).'''
    return X @ W.T + b


def linear_backward(dZ, X, W):
    '''(dX, dW, db) of a linear layer, from dZ = dL/dZ (N, d_out), its input X and weights W.'''
    dX = dZ @ W
    dW = dZ.T @ X
    db = dZ.sum(dim=0)
    return dX, dW, db
# %% cell: relu
def relu_forward(Z):
    '''max(0, Z), element by element, as a new tensor.'''
    return Z.clamp(min=0)


def relu_backward(dA, Z):
    '''dL/dZ from dA = dL/dA and the forward pass's input Z.'''
    return dA * (Z > 0).to(dA.dtype)
# %% cell: cross_entropy
def cross_entropy_forward(S, y):
    '''Mean softmax cross-entropy of scores S (N, C) for integer labels y (N,), computed stably.'''
    m = S.max(dim=1, keepdim=True).values
    log_sum = (S - m).exp().sum(dim=1).log() + m.squeeze(1)
    return (log_sum - S[torch.arange(len(y)), y]).mean()


def cross_entropy_backward(S, y):
    '''dL/dS of the mean softmax cross-entropy.'''
    P = (S - S.max(dim=1, keepdim=True).values).exp()
    P = P / P.sum(dim=1, keepdim=True)
    P[torch.arange(len(y)), y] -= 1
    return P / len(y)
# %% cell: mlp
def mlp_forward(params, X):
    '''Scores of the MLP params (ReLU between layers, none after the last) for inputs X (N, d_in).'''
    A = X
    for layer, (W, b) in enumerate(params):
        A = linear_forward(A, W, b)
        if layer < len(params) - 1:
            A = relu_forward(A)
    return A


def mlp_gradients(params, X, y):
    '''(loss, [(dW, db) for each layer]) of the mean cross-entropy of the MLP on (X, y), without autograd.'''
    cache = []
    A = X
    for layer, (W, b) in enumerate(params):
        Z = linear_forward(A, W, b)
        cache.append((A, Z))
        A = relu_forward(Z) if layer < len(params) - 1 else Z
    loss = cross_entropy_forward(A, y)
    dA = cross_entropy_backward(A, y)
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        A_in, Z = cache[layer]
        dZ = dA if layer == len(params) - 1 else relu_backward(dA, Z)
        dA, dW, db = linear_backward(dZ, A_in, params[layer][0])
        grads[layer] = (dW, db)
    return loss, grads
# %% cell: train_step
def train_step(params, X, y, learning_rate):
    '''One SGD step on (X, y), updating params in place; returns the loss before the step as a float.'''
    loss, grads = mlp_gradients(params, X, y)
    for (W, b), (dW, db) in zip(params, grads):
        W -= learning_rate * dW
        b -= learning_rate * db
    return loss.item()
# %% cell: hyperparameters
hidden_sizes = [128]
num_epochs = 2
batch_size = 64
learning_rate = 0.1
# %% cell: memory_answer
The linear layer's backward pass needs its input X (for dW = dZ^T X) and its weights (for dX = dZ W); the ReLU's needs
its input Z (or the mask Z > 0) to know which gradients pass. Without them we would have to recompute the forward pass
from the input for every layer, which costs time quadratic in depth. For my [784, 128, 10] network with batch 64 it
keeps X (64*784), Z1 (64*128), the scores (64*10): about 59,000 floats, 236 kB in float32. This grows linearly with
the batch size and with the depth (one activation per layer). Under torch.no_grad() nothing is kept for a backward
pass, so each activation can be freed as soon as the next layer has used it.
