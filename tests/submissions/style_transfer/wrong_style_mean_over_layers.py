# expect: zero=test_style_loss
# base: correct_bmm
# about: averages the weighted layer losses over the layers instead of summing them (right for one layer only)
# %% cell: style_loss
def _layer_style_loss(feature, target_gram):
    return (gram_matrix(feature) - target_gram).pow(2).mean()


def style_loss(features, target_grams, weights):
    losses = [weight * _layer_style_loss(f, g) for f, g, weight in zip(features, target_grams, weights)]
    return torch.stack(losses).mean()
