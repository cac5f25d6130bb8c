# expect: zero=test_threshold_units
# base: correct_loops
# about: off-by-one threshold n - 1 for AND, so the unit fires when all but one input are 1 (OR is right)
# %% cell: threshold_units
def and_unit(n):
    '''Weights (shape (n,)) and threshold of a threshold unit computing the AND of n binary inputs.'''
    return torch.ones(n), float(n - 1)


def or_unit(n):
    '''Weights (shape (n,)) and threshold of a threshold unit computing the OR of n binary inputs.'''
    return torch.ones(n), 1.0
