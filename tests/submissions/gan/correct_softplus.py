# expect: full
# about: losses written with softplus, a generator built from an OrderedDict by a loop over layer sizes, discriminator gradients cleared with module.zero_grad, a helper for the latent batches
# %% cell: losses
def discriminator_loss(real_logits, fake_logits):
    # -log sigmoid(s) = softplus(-s) and -log(1 - sigmoid(s)) = softplus(s)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(fake_logits):
    return torch.mean(F.softplus(-fake_logits))
# %% cell: generator
from collections import OrderedDict


def make_generator(latent_dim, hidden_dim, data_dim=2):
    sizes = [latent_dim, hidden_dim, hidden_dim]
    layers = OrderedDict()
    for k in range(2):
        layers[f"linear{k}"] = nn.Linear(sizes[k], sizes[k + 1])
        layers[f"relu{k}"] = nn.ReLU()
    layers["output"] = nn.Linear(hidden_dim, data_dim)
    return nn.Sequential(layers)
# %% cell: steps
def discriminator_step(generator, discriminator, d_optimizer, real, z):
    discriminator.zero_grad()
    fakes = generator(z).detach()
    loss = discriminator_loss(discriminator(real), discriminator(fakes))
    loss.backward()
    d_optimizer.step()
    return loss.item()


def generator_step(generator, discriminator, g_optimizer, z):
    generator.zero_grad()
    loss = generator_loss(discriminator(generator(z)))
    loss.backward()
    g_optimizer.step()
    return loss.item()


def _latent(n, latent_dim):
    return torch.randn(n, latent_dim)


def train_step(generator, discriminator, g_optimizer, d_optimizer, real, latent_dim):
    d_loss = discriminator_step(generator, discriminator, d_optimizer, real, _latent(len(real), latent_dim))
    g_loss = generator_step(generator, discriminator, g_optimizer, _latent(len(real), latent_dim))
    return d_loss, g_loss
# %% cell: mode_collapse_answer
Mode collapse means the generator maps most latent vectors to a few outputs, so the plot shows red points on only some
of the eight clusters. My generator_step minimizes the mean of -log D(G(z)) for the current D, which is smallest when all
samples go where D is most fooled; there is no term for diversity. The discriminator's update is the only thing that
later penalizes the crowded spot. A single-mode generator would have a large Fréchet distance (wrong mean and much
smaller covariance). Detect: histogram of nearest modes; prevent: minibatch features, unrolling, or WGAN-GP.
