# expect: zero=test_gram_matrix
# base: correct_matmul
# about: divides the Gram matrix by H * W only, forgetting the course's factor C; Part 4 is graded with the reference gram_matrix
# %% cell: gram_matrix
def gram_matrix(features):
    '''(N, C, H, W) activations -> (N, C, C) Gram matrices, divided by H * W.'''
    N, C, H, W = features.shape
    F = features.reshape(N, C, H * W)
    return F @ F.transpose(1, 2) / (H * W)
