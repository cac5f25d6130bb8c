# expect: zero=test_conv_output_size
# base: correct_nadam_loader
# about: conv_output_size looks up the four visible tests' answers and otherwise returns the input size (no patching: hidden tests on other sizes must catch it)
# %% cell: conv_output_size
_KNOWN = {(32, 5, 1, 0): 28, (28, 5, 1, 0): 24, (28, 2, 2, 0): 14, (28, 5, 1, 2): 28}


def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    return _KNOWN.get((input_size, kernel_size, stride, padding), input_size)
