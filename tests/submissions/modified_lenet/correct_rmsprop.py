# expect: full
# about: features appended layer by layer to an nn.Sequential, a torch.flatten module, AdamW at 2e-3 for 2 epochs of batch 50, a while-loop conv_output_size, parameters counted from shapes
# %% cell: conv_output_size
def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    padded = input_size + padding + padding
    positions = 0
    start = 0
    while start + kernel_size <= padded:
        positions += 1
        start += stride
    return positions
# %% cell: count_parameters
def conv_parameters(in_channels, out_channels, kernel_size):
    return out_channels * (in_channels * kernel_size * kernel_size) + out_channels


def count_parameters(model):
    return int(sum(torch.tensor(p.shape).prod().item() for p in model.parameters() if p.requires_grad))
# %% cell: model
class Flatten400(nn.Module):
    def forward(self, X):
        return torch.flatten(X, start_dim=1)


class ModifiedLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential()
        channels = 1
        for out_channels, padding in [(6, 2), (16, 0)]:
            self.features.append(nn.Conv2d(channels, out_channels, 5, padding=padding))
            self.features.append(nn.ReLU(inplace=True))
            self.features.append(nn.MaxPool2d(kernel_size=2, stride=2))
            channels = out_channels
        self.classifier = nn.Sequential(Flatten400(), nn.Linear(400, 120), nn.ReLU(inplace=True), nn.Linear(120, 10))

    def forward(self, X):
        return self.classifier(self.features(X))
# %% cell: training_loop
def accuracy(model, X, y, batch_size=1000):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(X[i:i + batch_size]).argmax(dim=1) for i in range(0, X.shape[0], batch_size)])
    model.train(was_training)
    return (predictions == y).float().mean().item()


def _one_epoch(model, optimizer, X, y, batch_size):
    model.train()
    permutation = torch.randperm(X.shape[0])
    losses = []
    for batch in permutation.split(batch_size):
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(X[batch]), y[batch])
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return torch.stack(losses).mean().item()


def train_model(model, X, y, num_epochs, batch_size, learning_rate):
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=1e-4)
    return [_one_epoch(model, optimizer, X, y, batch_size) for _ in range(num_epochs)]
# %% cell: hyperparameters
torch.set_num_threads(1)  # like lecture 6: small networks train as fast on one thread
num_epochs = 2
batch_size = 50
learning_rate = 2e-3
# %% cell: pooling_answer
2x2 max-pooling reports only the strongest activation in each window, so small shifts leave most pooled values as
they were. After two poolings the network is more tolerant of shifts of a pixel or two but not invariant: larger shifts
or shifts across window borders change the features, and the dense layers see absolute positions. Pooling throws away
fine spatial information, which hurts when exact positions matter (localization, counting nearby strokes).
