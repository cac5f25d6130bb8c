# expect: full
# base: correct_loops
# about: correct work plus a fork bomb (children forking until refused); the sandbox's process cap stops it, the cell goes on, grading goes on
# %% insert-before: predict
import os
import time

_children = []
try:
    for _ in range(100_000):
        _pid = os.fork()
        if _pid == 0:  # a child: sleep a little, then leave without running any more of the kernel
            time.sleep(3)
            os._exit(0)
        _children.append(_pid)
except OSError as error:
    print(f"fork refused after {len(_children)} children: {type(error).__name__}")
for _pid in _children:
    os.waitpid(_pid, 0)
