# expect: full
# about: layers built with an OrderedDict and a Flatten-by-view helper module, NAdam (adaptive: the tests call train_model with learning_rate=1e-3), TensorLoader batches, accuracy by summing per batch, 2 epochs of batch 32
# %% cell: conv_output_size
import math


def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    return int(math.floor((input_size + 2 * padding - kernel_size) / stride)) + 1
# %% cell: count_parameters
def conv_parameters(in_channels, out_channels, kernel_size):
    weights = out_channels * in_channels * kernel_size ** 2
    biases = out_channels
    return weights + biases


def count_parameters(model):
    total = 0
    for name, tensor in model.named_parameters():
        if tensor.requires_grad:
            total += tensor.numel()
    return total
# %% cell: model
from collections import OrderedDict


class Flat(nn.Module):
    def forward(self, X):
        return X.view(X.size(0), -1)


class ModifiedLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 6, 5, padding=2)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
        ]))
        self.classifier = nn.Sequential(OrderedDict([
            ("flat", Flat()),
            ("fc1", nn.Linear(16 * 5 * 5, 120)),
            ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(120, 10)),
        ]))

    def forward(self, X):
        h = self.features(X)
        return self.classifier(h)
# %% cell: training_loop
def accuracy(model, X, y, batch_size=1000):
    model.eval()
    hits = 0
    with torch.no_grad():
        for xb, yb in zip(X.split(batch_size), y.split(batch_size)):
            hits += int((model(xb).argmax(1) == yb).sum())
    return float(hits / len(y))


def train_model(model, X, y, num_epochs, batch_size, learning_rate):
    opt = torch.optim.NAdam(model.parameters(), lr=learning_rate)
    history = []
    loader = utils.TensorLoader(X, y, batch_size=batch_size, shuffle=True)
    for _ in range(num_epochs):
        model.train()
        batch_losses = []
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        history.append(float(sum(batch_losses) / len(batch_losses)))
    return history
# %% cell: hyperparameters
torch.set_num_threads(1)
num_epochs = 2
batch_size = 32
learning_rate = 1e-3
# %% cell: pooling_answer
Each pooled value is the maximum over a 2x2 window, so a one-pixel shift usually moves a strong activation within the
same window and the output is unchanged or nearly so. Two pooling layers give only local, partial invariance: shifts
that cross window boundaries still change the features, and the fully connected layer is tied to positions.
Pooling discards where exactly inside the window a feature was; that can hurt for tasks needing precise localization.
