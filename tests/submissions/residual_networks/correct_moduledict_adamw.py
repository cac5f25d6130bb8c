# expect: full
# about: layers in a ModuleDict, an empty nn.Sequential as the identity, the separable block as an nn.Sequential subclass, AdamW with cosine decay
# %% cell: conv_cost
import math


def conv_cost(in_channels, out_channels, kernel_size, input_size, stride=1, padding=0, groups=1, bias=True):
    '''(parameters, multiply-adds) of a square Conv2d on a square input_size x input_size image.'''
    out = math.floor((input_size + 2 * padding - kernel_size) / stride) + 1
    per_output_value = kernel_size * kernel_size * in_channels // groups
    parameters = out_channels * per_output_value
    if bias:
        parameters += out_channels
    return parameters, out * out * out_channels * per_output_value
# %% cell: residual_block
class ResidualBlock(nn.Module):
    '''Two 3x3 convolutions with batch norm, plus a shortcut (identity, or a 1x1 projection when the shape changes).'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.parts = nn.ModuleDict({
            "a": nn.Conv2d(in_channels, out_channels, (3, 3), (stride, stride), (1, 1), bias=False),
            "a_norm": nn.BatchNorm2d(out_channels),
            "b": nn.Conv2d(out_channels, out_channels, (3, 3), padding=(1, 1), bias=False),
            "b_norm": nn.BatchNorm2d(out_channels),
        })
        needs_projection = stride > 1 or in_channels != out_channels
        self.skip = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels)
        ) if needs_projection else nn.Sequential()

    def forward(self, X):
        p = self.parts
        h = nn.functional.relu(p["a_norm"](p["a"](X)))
        h = p["b_norm"](p["b"](h))
        return nn.functional.relu(h + self.skip(X))
# %% cell: separable_block
class SeparableBlock(nn.Sequential):
    '''A depthwise 3x3 convolution then a pointwise 1x1 convolution, each followed by batch norm and ReLU.'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(
            nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, groups=in_channels, bias=False),
            nn.BatchNorm2d(in_channels),
            nn.ReLU(),
            nn.Conv2d(in_channels, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
        )
# %% cell: resnet
class TinyResNet(nn.Module):
    '''Stem, four residual blocks in two stages, global average pooling, a linear classifier.'''

    def __init__(self, width=20):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.blocks = nn.Sequential(ResidualBlock(width, width), ResidualBlock(width, 2 * width, 2),
                                    ResidualBlock(2 * width, 4 * width, 2), ResidualBlock(4 * width, 4 * width))
        self.classifier = nn.Linear(4 * width, 10)

    def forward(self, X):
        features = self.blocks(self.stem(X * 2 - 1))
        return self.classifier(features.mean(dim=(2, 3)))


def make_resnet():
    '''A small ResNet for 32x32 CIFAR-10 images, built from ResidualBlocks; returns logits.'''
    return TinyResNet()


def train_resnet(model, X, y):
    '''Train model on (X, y) and return it.'''
    num_epochs = 8
    loader = utils.TensorLoader(X, y, 128, shuffle=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_epochs * len(loader))
    for _ in range(num_epochs):
        model.train()
        for images, labels in loader:
            images = torch.cat([images[: len(images) // 2], images[len(images) // 2:].flip(-1)])
            loss = nn.functional.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
    return model.eval()
