# expect: zero=test_conv_cost
# base: correct_sequential_sgd
# about: assumes the output keeps the input's size divided by the stride ("same" padding), whatever the padding
# %% cell: conv_cost
def conv_cost(in_channels, out_channels, kernel_size, input_size, stride=1, padding=0, groups=1, bias=True):
    '''(parameters, multiply-adds) of a square Conv2d on a square input_size x input_size image.'''
    fan_in = in_channels // groups * kernel_size ** 2
    out_side = input_size // stride
    return fan_in * out_channels + bias * out_channels, fan_in * out_channels * out_side ** 2
