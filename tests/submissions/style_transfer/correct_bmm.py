# expect: full
# about: torch.bmm on a view of the features, content loss as a sum divided by numel, style loss with a generator expression and sum()
# %% cell: gram_matrix
def gram_matrix(features):
    size = features.size()
    matrix = features.contiguous().view(size[0], size[1], -1)
    gram = torch.bmm(matrix, matrix.permute(0, 2, 1))
    return gram.div(features[0].numel())
# %% cell: content_loss
def content_loss(features, target):
    difference = features - target
    return (difference * difference).sum() / difference.numel()
# %% cell: style_loss
def _layer_style_loss(feature, target_gram):
    return (gram_matrix(feature) - target_gram).pow(2).mean()


def style_loss(features, target_grams, weights):
    assert len(features) == len(target_grams) == len(weights)
    return sum((weight * _layer_style_loss(f, g) for f, g, weight in zip(features, target_grams, weights)),
               torch.tensor(0.0))
# %% cell: gram_answer
Summing over positions keeps the correlations between feature channels (which colours and textures appear together)
and discards their positions, so the optimized image gets the painting's texture everywhere but keeps the content
image's layout. Random features still capture colour and local-texture statistics; trained VGG features capture
higher-level patterns like strokes and shapes that make the style recognizable.
