# expect: total=0
# flag: memory
# about: a blank hand-in whose first cell allocates memory until the limit: its cell fails (or its kernel dies, reported as such), grading goes on
# %% insert-before: threshold_units
_hog = []
while True:
    _hog.append(bytearray(256 * 2**20))
