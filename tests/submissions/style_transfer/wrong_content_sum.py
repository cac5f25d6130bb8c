# expect: zero=test_content_loss
# base: correct_einsum
# about: the content loss sums the squared differences instead of taking their mean
# %% cell: content_loss
import torch.nn.functional as F


def content_loss(features, target):
    return F.mse_loss(features, target, reduction="sum")
