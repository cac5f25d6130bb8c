# expect: zero=test_trained_model
# flag: tampering
# base: correct_vectorized
# about: a network far too large for the 30 CPU-second budget (about 75 CPU-s on a 2-core laptop, 2.5 times the budget, so also over the 1.5x the hidden re-timing allows), made to look fast by replacing time.process_time through an alias so it reports a tenth
# %% cell: hyperparameters
import time as clock
_cpu = clock.process_time
clock.process_time = lambda: _cpu() / 10

hidden_sizes = [1024, 1024]
num_epochs = 12
batch_size = 64
learning_rate = 0.05
