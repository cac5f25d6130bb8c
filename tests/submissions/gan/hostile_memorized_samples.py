# expect: zero=test_generator
# base: correct_bce
# about: a "generator" that stores 2,048 points drawn from the ring once and hands out a random subset at every call, whatever z and its (right-sized, unused) weights: its samples change from call to call for the same z, so the visible check already fails Part 2 (the summary then says only that tests failed)
# %% cell: generator
class _Memorizer(nn.Module):
    def __init__(self, latent_dim, hidden_dim, data_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(latent_dim, hidden_dim), nn.ReLU(),
                                 nn.Linear(hidden_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, data_dim))
        angle = 2 * math.pi * torch.randint(0, 8, (2048,)) / 8
        self.register_buffer("memory", 2 * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
                             + 0.05 * torch.randn(2048, 2))

    def forward(self, z):
        picked = self.memory[torch.randint(0, len(self.memory), (len(z),))]
        return picked + 0.0 * self.net(z)


def make_generator(latent_dim, hidden_dim, data_dim=2):
    return _Memorizer(latent_dim, hidden_dim, data_dim)
