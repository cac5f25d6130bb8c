# expect: zero=test_bits_per_char
# base: correct_unfold
# about: returns the cross-entropy in nats (forgets to divide by ln 2); Part 4's test measures the validation loss with its own code
# %% cell: bits_per_char
def bits_per_char(logits, targets):
    V = logits.size(-1)
    return nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1)).item()
