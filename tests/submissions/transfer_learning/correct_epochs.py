# expect: full
# about: named_parameters loop, head rebuilt by setattr on the Sequential's last index, mini-batches drawn by cycling over random orders (always full batches), parameters grouped by name prefix
# %% cell: freeze
def freeze(module):
    for _, p in module.named_parameters():
        p.requires_grad_(False)
    return module
# %% cell: replace_head
def replace_head(model, num_classes):
    last_index = str(len(model.classifier) - 1)
    inputs = getattr(model.classifier, last_index).in_features
    setattr(model.classifier, last_index, nn.Linear(inputs, num_classes))
    return model
# %% cell: make_optimizer
def make_optimizer(model, learning_rate, body_factor=0.1):
    groups = {"features": [], "classifier": []}
    for name, p in model.named_parameters():
        groups[name.split(".")[0]].append(p)
    return torch.optim.Adam([{"params": groups["features"], "lr": learning_rate * body_factor},
                             {"params": groups["classifier"], "lr": learning_rate}])
# %% cell: fine_tuning
def _batches(n, batch_size):
    '''Endless index batches of exactly batch_size, from one random order after another.'''
    pending = torch.empty(0, dtype=torch.long)
    while True:
        while len(pending) < batch_size:
            pending = torch.cat([pending, torch.randperm(n)])
        yield pending[:batch_size]
        pending = pending[batch_size:]


def train_steps(model, optimizer, X, y, num_steps, batch_size=64):
    model.train()
    batches = _batches(len(X), batch_size)
    for step in range(num_steps):
        idx = next(batches)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(augment(X[idx])), y[idx]).backward()
        optimizer.step()
    return model.eval()


def fine_tune(pretrained_model, X, y, num_steps, learning_rate=1e-3):
    tuned = copy.deepcopy(pretrained_model)
    replace_head(tuned, 2)
    for module in (tuned.features, tuned.classifier):
        module.requires_grad_(True)
    return train_steps(tuned, make_optimizer(tuned, learning_rate), X, y, num_steps)
# %% cell: strategy_answer
1. Birds: similar data, little of it: freeze the body, train a new head (fixed feature extractor).
2. Microscopy: different and scarce: fine-tune the upper layers with a small body learning rate, new head at a larger one.
3. Radar, 2M images: lots of data: fine-tune the whole network at normal learning rates or train from scratch.
