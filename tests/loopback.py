"""A network on loopback for the download tests: stand-in data files and an HTTP server that serves them.

`mirror(folder)` writes tiny MNIST, Fashion-MNIST, CIFAR-10 (torchvision's format) and tiny-shakespeare files in
the layout utils.data expects under COURSE_DATA_MIRROR, plus the JSON of their MD5 sums for
COURSE_DATA_MD5_OVERRIDES; `serve(folder)` serves a folder on 127.0.0.1 at a free port until the block ends.
"""
import contextlib
import gzip
import hashlib
import io
import json
import pickle
import socket
import tarfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging; a path under /cut/ sends a tenth of the promised bytes, then hangs up."""

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        if not self.path.startswith("/cut/"):
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Length", "10000")
        self.end_headers()
        self.wfile.write(b"x" * 1000)
        self.close_connection = True


@contextlib.contextmanager
def serve(folder: Path, requests: list[str] | None = None) -> Iterator[str]:
    """Serve folder over HTTP on 127.0.0.1 at a free port, noting each GET's path in requests; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    server.requests = [] if requests is None else requests
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 at a port where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def offline_env(mirror: str, overrides: Path | None = None) -> dict[str, str]:
    """Environment variables that point the course's downloads at a mirror and keep every other request off the net."""
    env = {"COURSE_DATA_MIRROR": mirror, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
           # anything not on loopback goes to a proxy that refuses: nothing in a test reaches the real network
           "HTTPS_PROXY": closed_port_url(), "HTTP_PROXY": closed_port_url(),
           "https_proxy": closed_port_url(), "http_proxy": closed_port_url()}
    if overrides is not None:
        env["COURSE_DATA_MD5_OVERRIDES"] = str(overrides)
    return env


def idx_bytes(array: np.ndarray) -> bytes:
    """A uint8 array as an IDX file (the MNIST format)."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def mnist_arrays(split: str, count: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random stand-in images (count, 28, 28) and labels (count,) for one split."""
    rng = np.random.default_rng(seed + (split == "test"))
    return rng.integers(0, 256, (count, 28, 28), dtype=np.uint8), rng.integers(0, 10, count, dtype=np.uint8)


def cifar_image(label: int, index: int) -> np.ndarray:
    """A flat 3x32x32 stand-in image that encodes its class (red, blue) and its index within the class (green)."""
    image = np.empty((3, 32, 32), dtype=np.uint8)
    image[0], image[1], image[2] = 20 * label, index % 256, 255 - 20 * label
    return image


def cifar_archive(counts: dict[str, dict[str, int]]) -> tuple[bytes, dict[str, bytes]]:
    """torchvision's cifar-10-python.tar.gz holding counts[split][class] stand-in images; also its member files.

    Classes are interleaved inside the batches, as in the real ones; the training images are spread over
    data_batch_1..5.
    """
    members = {"batches.meta": pickle.dumps({"label_names": list(CLASSES), "num_vis": 3072, "num_cases_per_batch": 10000})}
    for split, names in (("train", [f"data_batch_{i}" for i in range(1, 6)]), ("test", ["test_batch"])):
        order = [(CLASSES.index(name), i) for name, n in counts[split].items() for i in range(n)]
        order.sort(key=lambda item: (item[1], item[0]))  # interleave the classes
        for b, name in enumerate(names):
            part = order[b * len(order) // len(names):(b + 1) * len(order) // len(names)]
            data = np.stack([cifar_image(label, i).reshape(-1) for label, i in part]) if part else np.empty((0, 3072), np.uint8)
            members[name] = pickle.dumps({"batch_label": name, "labels": [label for label, _ in part], "data": data,
                                          "filenames": [f"{label}_{i}.png" for label, i in part]})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue(), members


def md5(content: bytes) -> str:
    """The MD5 hex digest of some bytes."""
    return hashlib.md5(content).hexdigest()


def mirror(folder: Path, cifar_counts: dict[str, dict[str, int]] | None = None) -> Path:
    """Write stand-ins for every data set in the mirror layout under folder; return the MD5 overrides JSON file."""
    sums = {}

    def put(key: str, content: bytes) -> None:
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(content)
        sums[key] = md5(content)

    for name in ("MNIST", "FashionMNIST"):
        for split, prefix in (("train", "train"), ("test", "t10k")):
            images, labels = mnist_arrays(split, seed=len(name))
            for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
                content = idx_bytes(array)
                put(f"{name}/{prefix}-{kind}-ubyte.gz", gzip.compress(content))
                sums[f"{name}/raw/{prefix}-{kind}-ubyte"] = md5(content)
    counts = cifar_counts or {"train": {name: 3 for name in CLASSES}, "test": {name: 2 for name in CLASSES}}
    archive, members = cifar_archive(counts)
    put("cifar10/cifar-10-python.tar.gz", archive)
    sums.update({f"cifar-10-batches-py/{name}": md5(content) for name, content in members.items()})
    put("tinyshakespeare/input.txt", TEXT.encode())
    overrides = folder / "md5-overrides.json"
    overrides.write_text(json.dumps(sums, indent=1))
    return overrides


def files_under(root: Path) -> list[str]:
    """Every file and folder under root, relative, sorted: to show that nothing half-written was left."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*")) if root.exists() else []
