# expect: zero=test_separable_block
# base: correct_moduledict_adamw
# about: forgets the last ReLU of the separable block (its outputs can be negative)
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
        )
