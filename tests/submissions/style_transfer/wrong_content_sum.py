# expect: zero=test_content_loss
# base: correct_einsum
# about: the content loss sums the squared differences instead of taking their mean (the visible Part 4 check then fails too; graded, Part 4 uses the reference content_loss)
# %% cell: content_loss
import torch.nn.functional as F


def content_loss(features, target):
    return F.mse_loss(features, target, reduction="sum")
