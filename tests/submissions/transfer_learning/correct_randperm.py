# expect: full
# about: requires_grad_(False) on the module, a new head found by searching for the last nn.Linear, a fresh random order per step, a helper for one step, learning rate for the body computed separately
# %% cell: freeze
def freeze(module):
    return module.requires_grad_(False)
# %% cell: replace_head
def replace_head(model, num_classes):
    last = max(i for i, layer in enumerate(model.classifier) if isinstance(layer, nn.Linear))
    in_features = model.classifier[last].in_features
    model.classifier[last] = nn.Linear(in_features, num_classes)
    return model
# %% cell: make_optimizer
def make_optimizer(model, learning_rate, body_factor=0.1):
    body_lr = learning_rate * body_factor
    body = {"params": [p for p in model.features.parameters()], "lr": body_lr}
    head = {"params": [p for p in model.classifier.parameters()]}
    return torch.optim.Adam([body, head], lr=learning_rate)
# %% cell: fine_tuning
def _step(model, optimizer, images, labels):
    optimizer.zero_grad()
    scores = model(augment(images))
    loss = nn.functional.cross_entropy(scores, labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def train_steps(model, optimizer, X, y, num_steps, batch_size=64):
    model.train()
    steps = 0
    while steps < num_steps:
        batch = torch.randperm(X.shape[0])[:batch_size]
        _step(model, optimizer, X[batch], y[batch])
        steps += 1
    model.eval()
    return model


def fine_tune(pretrained_model, X, y, num_steps, learning_rate=1e-3):
    model = copy.deepcopy(pretrained_model)
    model = replace_head(model, num_classes=2)
    for p in model.parameters():
        p.requires_grad = True
    opt = make_optimizer(model, learning_rate, body_factor=0.1)
    model = train_steps(model, opt, X, y, num_steps=num_steps, batch_size=64)
    return model
# %% cell: strategy_answer
Birds (400 images, close to ImageNet): fixed feature extractor plus a linear classifier, or fine-tune only the top layers
with a low learning rate: too little data to move the whole network safely.
Microscope cells (300 grayscale images, far from ImageNet): fine-tune more of the network, especially later layers, with
a small learning rate for the body and a larger one for a new head; keep the early generic filters.
Radar (2 million images): fine-tune everything with ordinary learning rates, or train from scratch: the data are plentiful
and the domain is far from photographs, so the pretrained features matter less.
