# expect: zero=test_losses
# base: correct_bce
# about: the generator loss is the saturating minimax one, mean log(1 - sigmoid(s)), instead of -log sigmoid(s); Part 4 is trained with the reference loss
# %% cell: losses
def discriminator_loss(real_logits, fake_logits):
    '''Binary cross-entropy: real labelled 1, fake labelled 0; the sum of the two means.'''
    real_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real_loss + fake_loss


def generator_loss(fake_logits):
    '''Minimax generator loss: mean of log(1 - sigmoid(fake_logits)).'''
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
