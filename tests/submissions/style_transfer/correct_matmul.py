# expect: full
# about: reshape and @ for the Gram matrix, mean of squares for the content loss, a Python loop summing the weighted layer losses
# %% cell: gram_matrix
def gram_matrix(features):
    '''(N, C, H, W) activations -> (N, C, C) Gram matrices, divided by C * H * W.'''
    N, C, H, W = features.shape
    F = features.reshape(N, C, H * W)
    return F @ F.transpose(1, 2) / (C * H * W)
# %% cell: content_loss
def content_loss(features, target):
    '''Mean squared difference between two feature tensors of the same shape.'''
    return ((features - target) ** 2).mean()
# %% cell: style_loss
def style_loss(features, target_grams, weights):
    '''Weighted sum over layers of the mean squared difference between Gram matrices.'''
    total = torch.zeros(())
    for F, A, w in zip(features, target_grams, weights):
        total = total + w * ((gram_matrix(F) - A) ** 2).mean()
    return total
# %% cell: gram_answer
The Gram matrix sums products of channels over all positions, so it keeps which features occur together and how
strongly (textures, colours, stroke statistics) but throws away where they occur. Matching it reproduces the style's
local statistics everywhere, while the layout comes from the content loss, which compares features position by
position. Random convolutional features still respond to colours, local contrast and simple oriented patterns, so
their correlations capture the palette and fine texture of the painting. A network trained on ImageNet adds features
tuned to meaningful structures (edges at many scales, brush strokes, object parts), so its Gram matrices describe the
style in richer, perceptually relevant terms, and the content layer keeps objects recognizable.
