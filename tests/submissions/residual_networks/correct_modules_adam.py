# expect: full
# about: named layers and nn.Identity for the shortcut, Adam with flips, a three-stage network
# %% cell: conv_cost
def conv_cost(in_channels, out_channels, kernel_size, input_size, stride=1, padding=0, groups=1, bias=True):
    '''(parameters, multiply-adds) of a square Conv2d on a square input_size x input_size image.'''
    weights_per_filter = (in_channels // groups) * kernel_size * kernel_size
    parameters = out_channels * weights_per_filter + (out_channels if bias else 0)
    side = (input_size + 2 * padding - kernel_size) // stride + 1
    return int(parameters), int(side * side * out_channels * weights_per_filter)
# %% cell: residual_block
class ResidualBlock(nn.Module):
    '''Two 3x3 convolutions with batch norm, plus a shortcut (identity, or a 1x1 projection when the shape changes).'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                          nn.BatchNorm2d(out_channels))
        else:
            self.shortcut = nn.Identity()

    def forward(self, X):
        out = torch.relu(self.bn1(self.conv1(X)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(X))
# %% cell: separable_block
class SeparableBlock(nn.Module):
    '''A depthwise 3x3 convolution then a pointwise 1x1 convolution, each followed by batch norm and ReLU.'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, stride, 1, groups=in_channels, bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, X):
        return torch.relu(self.bn2(self.pointwise(torch.relu(self.bn1(self.depthwise(X))))))
# %% cell: resnet
def make_resnet():
    '''A small ResNet for 32x32 CIFAR-10 images, built from ResidualBlocks; returns logits.'''
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        ResidualBlock(16, 16), ResidualBlock(16, 32, stride=2), ResidualBlock(32, 64, stride=2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def train_resnet(model, X, y):
    '''Train model on (X, y) and return it.'''
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for epoch in range(10):
        for batch in torch.randperm(len(X)).split(64):
            images = X[batch]
            flip = torch.rand(len(images)) < 0.5
            images = torch.where(flip[:, None, None, None], images.flip(3), images)
            loss = nn.functional.cross_entropy(model(images), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model
