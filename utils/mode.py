"""Quick or full mode: full where a CUDA GPU is, quick elsewhere; the environment variable COURSE_QUICK always wins."""
from typing import TypeVar

import torch

from .config import QUICK_ENV, quick_setting

# Whole notebook, default settings, on the 2-core x86-64 CPU of CI (quick mode: `python -m bench.course_quick_mode`
# on an idle machine, 2026-12-02; full mode: the whole notebook with COURSE_QUICK=0); None: never measured.
RUN_TIMES: dict[str, dict[str, str | None]] = {
    "01_history": {"quick": "8 s", "full": "10 s"},
    "02_mlp_backprop": {"quick": "11 s", "full": "59 s"},
    "03_convnets": {"quick": "18 s", "full": "1 min 43 s"},
    "03b_key_architectures": {"quick": "46 s", "full": "45 min"},
    "04_transfer_learning": {"quick": "21 s", "full": "4 min 28 s without its ImageNet section"},
    "05_rnn_text_generation": {"quick": "23 s", "full": "13 min"},
    "06_gans": {"quick": "84 s", "full": "7 min 29 s"},
    "07_style_transfer": {"quick": "27 s", "full": "2 min 55 s"},
}

# What the course's own full-mode runs reached (whole notebook, default settings): result, device, date.
# Printed by the lectures beside their quick-mode result; a lecture missing here was not run in full mode yet.
FULL_RESULTS: dict[str, dict[str, str]] = {
    "01_history": {
        "result": "the perceptron on all 12,665 zeros and ones converged after 14 epochs, 0.09% test error (2,115 test digits)",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-01"},
    "02_mlp_backprop": {
        "result": "hand-written MLP 97.96% test accuracy after 10 epochs on 60,000 digits (autograd's twin 97.99%)",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-01"},
    "03_convnets": {
        "result": "the slides' net, 10 epochs on all 60,000 digits: 0.75% test error (82.5 s, 8.2 s per epoch); the fast "
                  "recipe (2 epochs, bfloat16): 0.83% in 6.8 s",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-02"},
    "03b_key_architectures": {
        "result": "section 8's network, 24 epochs on all 50,000 images (25.0 min of training, bfloat16): 90.40% test "
                  "accuracy with six test-time views (89.44% from the images alone); the map's best after 3 epochs: "
                  "73.6% (MobileNet-style)",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-02"},
    "04_transfer_learning": {
        "result": "section 4, cat vs dog, mean over 5 seeds at 50 / 200 / 1,000 / 5,000 labels per class: from scratch "
                  "59.0 / 63.7 / 73.6 / 74.5%, linear on fixed features 59.9 / 64.3 / 67.7 / 68.7%, SVM 60.1 / 66.8 / "
                  "70.4 / 73.0%, fine-tuning 63.2 / 68.6 / 73.1 / 76.5% (200 to 1,000 steps; the course's backbone, "
                  "bfloat16 autocast)",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-02"},
    "05_rnn_text_generation": {
        "result": "validation loss 1.469 nats per character after 12 epochs (1.494 after 8), bfloat16 autocast",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-02"},
    "06_gans": {
        "result": "Fréchet distance 19.8 after 4,690 steps (from 1,712; real vs real 1.3; below 25 from step 2,000), "
                  "label entropy 3.30 bits (real digits 3.32), 65% of samples labelled with probability >= 0.9 (real "
                  "96%); the conditional GAN after 1,407 steps: 5.0, 91% sure (90% sure and of the class asked for); "
                  "the course's fixed judge (pretrained/mnist_feature_net.pt), bfloat16 autocast",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-02"},
    "07_style_transfer": {
        "result": "256 px, 300 L-BFGS iterations: waves style loss 2.511 -> 0.041, content loss 0.703 (the style picture's "
                  "own: 1.642), the same as after 60: converged",
        "device": "2-core x86-64 CPU, no GPU", "date": "2026-12-01"},
}

T = TypeVar("T")


def is_quick() -> bool:
    """Quick mode: as COURSE_QUICK says where it is set, else quick without a CUDA GPU and full with one."""
    setting = quick_setting()
    return (not torch.cuda.is_available()) if setting is None else setting


def pick(full: T, quick: T) -> T:
    """Return `quick` in quick mode and `full` otherwise, e.g. num_epochs = pick(full=10, quick=1)."""
    return quick if is_quick() else full


def mode_reason() -> str:
    """Why this mode: the environment variable, or the device (e.g. 'no CUDA GPU here')."""
    setting = quick_setting()
    if setting is not None:
        return f"{QUICK_ENV}={int(setting)} is set"
    return "no CUDA GPU here" if not torch.cuda.is_available() else "a CUDA GPU is here"


def mode_line(notebook: str) -> str:
    """The mode, why, the line that switches it and the other mode's measured time, e.g. mode_line('03_convnets')."""
    mode, other = ("quick", "full") if is_quick() else ("full", "quick")
    other_time = RUN_TIMES.get(notebook, {}).get(other)
    timing = f"it takes {other_time} on a 2-core CPU" if other_time else "its time on a CPU was not measured"
    return (f"{mode} mode ({mode_reason()}). For {other} mode put `%env {QUICK_ENV}={int(other == 'quick')}` "
            f"at the top of this cell and run all cells again ({timing}).")


def full_result(notebook: str) -> str:
    """One line: what the course's own full-mode run of a notebook reached, in what time, on which device, when."""
    run, time = FULL_RESULTS.get(notebook), RUN_TIMES.get(notebook, {}).get("full")
    if run is None:
        return f"full mode ({notebook}): not run by the course yet"
    return f"full mode, the course's own run: {run['result']}; {time or 'time not recorded'} on a {run['device']} ({run['date']})"
