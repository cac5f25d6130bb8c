# expect: full
# flag: timed out
# base: correct_loops
# about: correct work with an infinite loop in a cell of its own: that cell times out, the kernel is interrupted, every test still runs
# %% insert-before: predict
while True:
    pass
