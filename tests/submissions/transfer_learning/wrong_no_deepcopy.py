# expect: zero=test_fine_tuning
# base: correct_epochs
# about: fine_tune changes the pretrained model it is handed (no copy.deepcopy); the fine-tuning itself works, so the hidden accuracy test on fresh models passes
# %% cell: fine_tuning
def _batches(n, batch_size):
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
    tuned = pretrained_model
    replace_head(tuned, 2)
    for module in (tuned.features, tuned.classifier):
        module.requires_grad_(True)
    return train_steps(tuned, make_optimizer(tuned, learning_rate), X, y, num_steps)
