# expect: zero=test_sample_top_k,test_sample_temperature
# base: correct_reshape
# about: sample hands the work to the lecture's copy in utils (utils.sample): the graded function must be the student's own
# %% cell: sample
def sample(logits, temperature=1.0, top_k=None):
    '''One id per row of logits (N, V), drawn from softmax(logits / temperature) among the top_k largest.'''
    return utils.sample(logits, temperature, top_k)
