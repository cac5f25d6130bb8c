# expect: full
# base: correct_vectorized
# about: correct work plus a thread storm (threads started until refused); the sandbox's cap on threads stops it, grading goes on
# %% insert-before: update
import threading
import time

_threads = []
try:
    for _ in range(100_000):
        _thread = threading.Thread(target=time.sleep, args=(3,), daemon=True)
        _thread.start()
        _threads.append(_thread)
except RuntimeError as error:
    print(f"thread refused after {len(_threads)} threads: {error}")
for _thread in _threads:
    _thread.join()
