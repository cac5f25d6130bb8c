# expect: zero=test_update
# base: correct_loops
# about: updates w in place (w += ...), which changes the caller's tensor; the training loop itself still works
# %% cell: update
def update(w, b, x, y, learning_rate=1.0):
    '''One step of the perceptron rule on the example (x, y); returns the new (w, b).'''
    if predict(x.unsqueeze(0), w, b)[0] != y:
        w += learning_rate * y * x
        b += learning_rate * float(y)
    return w, float(b)
