# expect: zero=test_generator
# base: correct_logsigmoid
# about: make_generator builds the module once and returns that same module at every call (not a new, freshly initialized one); only hidden tests catch it
# %% cell: generator
class Generator(nn.Module):
    def __init__(self, latent_dim, hidden_dim, data_dim):
        super().__init__()
        self.fc1 = nn.Linear(latent_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, hidden_dim)
        self.out = nn.Linear(hidden_dim, data_dim)

    def forward(self, z):
        h = torch.relu(self.fc1(z))
        h = torch.relu(self.fc2(h))
        return self.out(h)


_generators = {}


def make_generator(latent_dim, hidden_dim, data_dim=2):
    key = (latent_dim, hidden_dim, data_dim)
    if key not in _generators:
        _generators[key] = Generator(latent_dim, hidden_dim, data_dim)
    return _generators[key]
