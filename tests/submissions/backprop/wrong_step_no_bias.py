# expect: zero=test_train_step
# base: correct_loops
# about: the SGD step updates the weights but forgets the biases (the MNIST training of part 6 still reaches 95% without them)
# %% cell: train_step
def train_step(params, X, y, learning_rate):
    loss, grads = mlp_gradients(params, X, y)
    for layer in range(len(params)):
        params[layer][0].sub_(learning_rate * grads[layer][0])
    return float(loss)
