# expect: full
# about: einsum Gram matrix, F.mse_loss for the content loss, layer losses stacked and dotted with a weight tensor
# %% cell: gram_matrix
def gram_matrix(features):
    n, c, h, w = features.shape
    flat = features.flatten(start_dim=2)
    return torch.einsum("nik,njk->nij", flat, flat) / (c * h * w)
# %% cell: content_loss
import torch.nn.functional as F


def content_loss(features, target):
    return F.mse_loss(features, target, reduction="mean")
# %% cell: style_loss
def style_loss(features, target_grams, weights):
    per_layer = torch.stack([F.mse_loss(gram_matrix(f), a) for f, a in zip(features, target_grams)])
    w = torch.as_tensor(weights, dtype=per_layer.dtype)
    return (w * per_layer).sum()
# %% cell: gram_answer
It keeps channel co-activations averaged over the image: colour palette, textures and how often patterns appear together,
and loses all spatial arrangement. So matching Gram matrices copies style statistics, not where things are; the layout
comes from the content term. Random filters still measure colours, local contrasts and crude textures; a trained network
adds detectors for meaningful shapes and strokes at several scales, so the transferred style looks like the painting.
