# expect: full
# about: losses with F.binary_cross_entropy_with_logits, an nn.Sequential generator, fakes detached, zero_grad through the optimizers
# %% cell: losses
def discriminator_loss(real_logits, fake_logits):
    '''Binary cross-entropy: real labelled 1, fake labelled 0; the sum of the two means.'''
    real_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real_loss + fake_loss


def generator_loss(fake_logits):
    '''Non-saturating generator loss: mean of -log sigmoid(fake_logits).'''
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
# %% cell: generator
def make_generator(latent_dim, hidden_dim, data_dim=2):
    '''MLP: latent_dim -> hidden_dim -> hidden_dim -> data_dim, ReLU after each hidden layer, linear output.'''
    return nn.Sequential(
        nn.Linear(latent_dim, hidden_dim), nn.ReLU(),
        nn.Linear(hidden_dim, hidden_dim), nn.ReLU(),
        nn.Linear(hidden_dim, data_dim),
    )
# %% cell: steps
def discriminator_step(generator, discriminator, d_optimizer, real, z):
    '''One update of the discriminator only; returns its loss as a float.'''
    fake = generator(z).detach()
    loss = discriminator_loss(discriminator(real), discriminator(fake))
    d_optimizer.zero_grad()
    loss.backward()
    d_optimizer.step()
    return loss.item()


def generator_step(generator, discriminator, g_optimizer, z):
    '''One update of the generator only (non-saturating loss); returns its loss as a float.'''
    loss = generator_loss(discriminator(generator(z)))
    g_optimizer.zero_grad()
    loss.backward()
    g_optimizer.step()
    return loss.item()


def train_step(generator, discriminator, g_optimizer, d_optimizer, real, latent_dim):
    '''A discriminator step, then a generator step, each with fresh latent vectors; returns (d_loss, g_loss).'''
    d_loss = discriminator_step(generator, discriminator, d_optimizer, real, torch.randn(len(real), latent_dim))
    g_loss = generator_step(generator, discriminator, g_optimizer, torch.randn(len(real), latent_dim))
    return d_loss, g_loss
# %% cell: mode_collapse_answer
Mode collapse is when the generator produces only a few kinds of samples, e.g. only some of the eight Gaussians: the red
points would sit on two or three of the grey blobs. In generator_step the loss is a mean over samples of
-log D(G(z)) for a fixed D, so the best move is to send every z to the single point D likes most: nothing rewards
spreading out. Only the discriminator's next steps, which learn to reject the over-produced point, push the generator
elsewhere. The Fréchet distance of Part 4 would notice one mode: the mean and covariance of a single blob are far from
those of the ring. Detect it by counting samples near each mode (or a classifier's label entropy); prevent it with
minibatch discrimination, unrolled GANs, or Wasserstein losses.
