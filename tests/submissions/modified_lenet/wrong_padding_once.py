# expect: zero=test_conv_output_size
# base: correct_adam
# about: adds the padding once instead of on both sides (input - kernel + padding)
# %% cell: conv_output_size
def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    '''Side length of the output of a convolution or pooling layer.'''
    return (input_size - kernel_size + padding) // stride + 1
