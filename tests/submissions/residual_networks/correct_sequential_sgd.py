# expect: full
# about: nn.Sequential branches and a shortcut that is None when it is the identity, SGD with one-cycle, crops, label smoothing
# %% cell: conv_cost
def conv_cost(in_channels, out_channels, kernel_size, input_size, stride=1, padding=0, groups=1, bias=True):
    '''(parameters, multiply-adds) of a square Conv2d on a square input_size x input_size image.'''
    fan_in = in_channels // groups * kernel_size ** 2
    out_side = (input_size - kernel_size + 2 * padding) // stride + 1
    n_params = fan_in * out_channels + bias * out_channels
    n_macs = fan_in * out_channels * out_side ** 2
    return int(n_params), int(n_macs)
# %% cell: residual_block
class ResidualBlock(nn.Module):
    '''Two 3x3 convolutions with batch norm, plus a shortcut (identity, or a 1x1 projection when the shape changes).'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.branch = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.project = None
        if (in_channels, stride) != (out_channels, 1):
            self.project = nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                                         nn.BatchNorm2d(out_channels))

    def forward(self, X):
        skip = X if self.project is None else self.project(X)
        return nn.functional.relu(self.branch(X) + skip)
# %% cell: separable_block
class SeparableBlock(nn.Module):
    '''A depthwise 3x3 convolution then a pointwise 1x1 convolution, each followed by batch norm and ReLU.'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, in_channels, kernel_size=3, stride=stride, padding=1, groups=in_channels, bias=False),
            nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
            nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))

    def forward(self, X):
        return self.layers(X)
# %% cell: resnet
class Standardize(nn.Module):
    '''Subtract a fixed mean and divide by a fixed spread, per colour channel.'''

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.49, 0.48, 0.45]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.25, 0.24, 0.26]).view(1, 3, 1, 1))

    def forward(self, X):
        return (X - self.mean) / self.std


def make_resnet():
    '''A small ResNet for 32x32 CIFAR-10 images, built from ResidualBlocks; returns logits.'''
    return nn.Sequential(Standardize(), nn.Conv2d(3, 24, 3, padding=1, bias=False), nn.BatchNorm2d(24), nn.ReLU(),
                         ResidualBlock(24, 32, stride=2), ResidualBlock(32, 64, stride=2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def random_crop(images, pad=3):
    '''Pad by reflection and cut a random 32x32 window (the same for the whole batch).'''
    padded = nn.functional.pad(images, (pad,) * 4, mode="reflect")
    i, j = torch.randint(0, 2 * pad + 1, (2,)).tolist()
    return padded[:, :, i:i + images.shape[2], j:j + images.shape[3]]


def train_resnet(model, X, y):
    '''Train model on (X, y) and return it.'''
    epochs, batch_size = 12, 100
    steps = epochs * ((len(X) + batch_size - 1) // batch_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.2, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = loss_fn(model(random_crop(X[idx])), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()
    return model
