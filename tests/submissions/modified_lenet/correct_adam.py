# expect: full
# about: nn.Sequential features and classifier with nn.Flatten, Adam 1e-3, randperm mini-batches, 2 epochs of batch 64
# %% cell: conv_output_size
def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    '''Side length of the output of a convolution or pooling layer.'''
    return (input_size - kernel_size + 2 * padding) // stride + 1
# %% cell: count_parameters
def conv_parameters(in_channels, out_channels, kernel_size):
    '''Number of weights and biases of a Conv2d layer with square kernels.'''
    return (kernel_size * kernel_size * in_channels + 1) * out_channels


def count_parameters(model):
    '''Number of trainable parameters (entries of tensors with requires_grad=True) of a module.'''
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
# %% cell: model
class ModifiedLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2, stride=2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 10))

    def forward(self, X):
        return self.classifier(self.features(X))
# %% cell: training_loop
def accuracy(model, X, y, batch_size=1000):
    '''Fraction of examples of (X, y) that the model classifies correctly.'''
    model.eval()
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
# %% cell: hyperparameters
torch.set_num_threads(1)   # a small model: one thread is as fast and does not stall on a busy CPU
num_epochs = 2
batch_size = 64
learning_rate = 1e-3
# %% cell: pooling_answer
Max-pooling keeps the largest value in each 2x2 window, so if the digit moves by one pixel the strongest response often
stays in the same window and the pooled feature barely changes. The network is not fully translation invariant: a shift
that crosses a window boundary changes the pooled map, and after two poolings only shifts of about four pixels line up
again; the fully connected layers also depend on position. Pooling throws away the exact position of features inside
each window (and 3 of 4 values); that hurts when precise positions or relations between parts matter, e.g. segmentation
or telling a 6 from a 9-like arrangement.
