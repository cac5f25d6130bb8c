# expect: full
# about: losses with F.logsigmoid, a generator class with named layers, fakes made under no_grad, the discriminator frozen with requires_grad_ during the generator step
# %% cell: losses
def discriminator_loss(real_logits, fake_logits):
    return -F.logsigmoid(real_logits).mean() - F.logsigmoid(-fake_logits).mean()


def generator_loss(fake_logits):
    return -F.logsigmoid(fake_logits).mean()
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


def make_generator(latent_dim, hidden_dim, data_dim=2):
    return Generator(latent_dim, hidden_dim, data_dim)
# %% cell: steps
def discriminator_step(generator, discriminator, d_optimizer, real, z):
    with torch.no_grad():
        fake = generator(z)
    d_optimizer.zero_grad()
    loss = discriminator_loss(discriminator(real), discriminator(fake))
    loss.backward()
    d_optimizer.step()
    return float(loss)


def generator_step(generator, discriminator, g_optimizer, z):
    discriminator.requires_grad_(False)
    try:
        g_optimizer.zero_grad()
        loss = generator_loss(discriminator(generator(z)))
        loss.backward()
        g_optimizer.step()
    finally:
        discriminator.requires_grad_(True)
    return float(loss)


def train_step(generator, discriminator, g_optimizer, d_optimizer, real, latent_dim):
    n = real.shape[0]
    d_loss = discriminator_step(generator, discriminator, d_optimizer, real, torch.randn(n, latent_dim))
    g_loss = generator_step(generator, discriminator, g_optimizer, torch.randn(n, latent_dim))
    return (d_loss, g_loss)
# %% cell: mode_collapse_answer
Mode collapse: the generator covers only some modes of the data (here a few of the eight blobs, or one). For a fixed
discriminator, the generator's loss is an average of independent per-sample terms, each minimized by the same best
point, so variety earns nothing. Only the discriminator, which then learns to call that point fake, pushes samples away.
The Fréchet distance would see it, since one blob has a very different mean and covariance than the ring. Detect it by
counting which modes receive samples; mitigate with minibatch discrimination or a Wasserstein loss.
