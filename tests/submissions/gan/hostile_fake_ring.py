# expect: zero=test_generator
# flag: generator ignores
# base: correct_bce
# about: a generator with the right 4,482 parameters that behaves as an MLP for its first 500 calls, then ignores its parameters and returns points of the ring (no patching: the hidden dependence checks must catch it; Part 4 then trains the reference generator with this hand-in's correct steps, so it keeps its points)
# %% cell: generator
class _Generator(nn.Module):
    def __init__(self, latent_dim, hidden_dim, data_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(latent_dim, hidden_dim), nn.ReLU(),
                                 nn.Linear(hidden_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, data_dim))
        self.calls = 0

    def forward(self, z):
        self.calls += 1
        out = self.net(z)
        if self.calls <= 500:
            return out
        angle = 2 * math.pi * torch.randint(0, 8, (len(z),)) / 8
        ring = 2 * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1) + 0.05 * torch.randn(len(z), 2)
        return ring + 0.0 * out


def make_generator(latent_dim, hidden_dim, data_dim=2):
    return _Generator(latent_dim, hidden_dim, data_dim)
