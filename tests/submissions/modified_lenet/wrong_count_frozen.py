# expect: zero=test_count_parameters
# base: correct_nadam_loader
# about: count_parameters counts every parameter, frozen ones included (visible tests have no frozen parameters: caught only by hidden tests)
# %% cell: count_parameters
def conv_parameters(in_channels, out_channels, kernel_size):
    weights = out_channels * in_channels * kernel_size ** 2
    biases = out_channels
    return weights + biases


def count_parameters(model):
    return sum(tensor.numel() for tensor in model.parameters())
