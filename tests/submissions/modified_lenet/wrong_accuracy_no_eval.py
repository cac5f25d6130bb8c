# expect: zero=test_training_loop
# base: correct_adam
# about: accuracy() forgets model.eval() (right for this model, which has no dropout or batch norm; hidden tests with such a model catch it)
# %% cell: training_loop
def accuracy(model, X, y, batch_size=1000):
    '''Fraction of examples of (X, y) that the model classifies correctly.'''
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            scores = model(X[start:start + batch_size])
            correct += (scores.argmax(dim=1) == y[start:start + batch_size]).sum().item()
    return correct / len(X)


def train_model(model, X, y, num_epochs, batch_size, learning_rate):
    '''Train with shuffled mini-batches; return the mean training loss of each epoch.'''
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    epoch_losses = []
    for epoch in range(num_epochs):
        model.train()
        order = torch.randperm(len(X))
        total, count = 0.0, 0
        for start in range(0, len(X), batch_size):
            index = order[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(X[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
            count += len(index)
        epoch_losses.append(total / count)
    return epoch_losses
