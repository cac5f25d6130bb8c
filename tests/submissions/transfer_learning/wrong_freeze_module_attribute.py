# expect: zero=test_freeze
# base: correct_randint
# about: sets requires_grad on the module object (a plain attribute) instead of on its parameters, so nothing is frozen
# %% cell: freeze
def freeze(module):
    '''Stop every parameter of module from being trained; returns the module.'''
    module.requires_grad = False
    return module
