# expect: zero=test_make_optimizer
# base: correct_randperm
# about: applies body_factor to the head's group instead of the body's (the body learns 10x faster than the head); Part 4 is graded with the reference make_optimizer
# %% cell: make_optimizer
def make_optimizer(model, learning_rate, body_factor=0.1):
    body = {"params": [p for p in model.features.parameters()], "lr": learning_rate}
    head = {"params": [p for p in model.classifier.parameters()], "lr": learning_rate * body_factor}
    return torch.optim.Adam([body, head])
