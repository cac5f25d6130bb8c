# expect: full
# about: loops over parameters to freeze, assigns classifier[-1], randint mini-batches, requires_grad_ on the copy
# %% cell: freeze
def freeze(module):
    '''Stop every parameter of module from being trained; returns the module.'''
    for parameter in module.parameters():
        parameter.requires_grad = False
    return module
# %% cell: replace_head
def replace_head(model, num_classes):
    '''Replace the last nn.Linear of model.classifier by a new one with num_classes outputs; returns the model.'''
    old = model.classifier[-1]
    model.classifier[-1] = nn.Linear(old.in_features, num_classes)
    return model
# %% cell: make_optimizer
def make_optimizer(model, learning_rate, body_factor=0.1):
    '''Adam with the body's parameters at learning_rate * body_factor and the head's at learning_rate.'''
    return torch.optim.Adam([
        {"params": list(model.features.parameters()), "lr": learning_rate * body_factor},
        {"params": list(model.classifier.parameters()), "lr": learning_rate},
    ])
# %% cell: fine_tuning
def train_steps(model, optimizer, X, y, num_steps, batch_size=64):
    '''Take num_steps optimizer steps on random augmented mini-batches of (X, y); return the model in eval mode.'''
    model.train()
    for _ in range(num_steps):
        index = torch.randint(0, len(X), (batch_size,))
        loss = nn.functional.cross_entropy(model(augment(X[index])), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def fine_tune(pretrained_model, X, y, num_steps, learning_rate=1e-3):
    '''A fine-tuned copy of pretrained_model for 2 classes: new head, whole network trained, smaller body learning rate.'''
    model = replace_head(copy.deepcopy(pretrained_model), 2)
    model.requires_grad_(True)
    optimizer = make_optimizer(model, learning_rate)
    return train_steps(model, optimizer, X, y, num_steps)
# %% cell: strategy_answer
1. Few images, similar to ImageNet (birds are in it): use the pretrained ResNet as a fixed feature extractor and train a
new 4-class head, or at most fine-tune the last block with a small learning rate; fine-tuning everything would overfit.
2. Little data and very different images: keep the early, generic layers (edges, textures), replace the head, and
fine-tune the later layers with a small learning rate (the body slower than the head); from scratch would overfit.
3. Two million images and a big cluster: enough data to fine-tune the whole network with a normal learning rate, or even
train from scratch since radar images differ a lot from photos; pretrained weights still speed up convergence.
