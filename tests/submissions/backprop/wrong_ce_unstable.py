# expect: zero=test_cross_entropy
# base: correct_vectorized
# about: cross-entropy without subtracting the row maximum: right on the visible small scores, inf/nan for scores of several hundreds (caught only by hidden tests)
# %% cell: cross_entropy
def cross_entropy_forward(S, y):
    '''Mean softmax cross-entropy of scores S (N, C) for integer labels y (N,).'''
    probs = S.exp() / S.exp().sum(dim=1, keepdim=True)
    return -probs[torch.arange(len(y)), y].log().mean()


def cross_entropy_backward(S, y):
    '''dL/dS of the mean softmax cross-entropy.'''
    P = S.exp()
    P = P / P.sum(dim=1, keepdim=True)
    P[torch.arange(len(y)), y] -= 1
    return P / len(y)
