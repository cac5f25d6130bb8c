# expect: zero=test_conv_output_size
# base: correct_adam
# about: conv_output_size is a table of the visible tests' cases: the visible checks pass, the hidden ones fail; the rest is correct
# %% cell: conv_output_size
def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    return {(32, 5, 1, 0): 28, (28, 5, 1, 0): 24, (28, 2, 2, 0): 14, (28, 5, 1, 2): 28}[(input_size, kernel_size, stride, padding)]
