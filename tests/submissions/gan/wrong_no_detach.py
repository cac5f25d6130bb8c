# expect: zero=test_steps
# base: correct_softplus
# about: the discriminator step does not detach the fakes, so gradients flow into the generator (its parameters do not move, but its .grad fills up)
# %% cell: steps
def discriminator_step(generator, discriminator, d_optimizer, real, z):
    discriminator.zero_grad()
    fakes = generator(z)
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
