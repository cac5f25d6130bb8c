# expect: zero=test_residual_block
# base: correct_modules_adam
# about: always adds a 1x1 projection, even where the identity fits (extra parameters, not ReLU(X) when silenced)
# %% cell: residual_block
class ResidualBlock(nn.Module):
    '''Two 3x3 convolutions with batch norm, plus a shortcut (identity, or a 1x1 projection when the shape changes).'''

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                      nn.BatchNorm2d(out_channels))

    def forward(self, X):
        out = torch.relu(self.bn1(self.conv1(X)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(X))
