"""Benchmark 4: the character-level LSTM of lecture 05: throughput, time to 1.6, 1.5 and 1.47 nats per character.

It runs the lecture's own code, imported from utils (saved from lectures/05_rnn_text_generation.ipynb):
utils.make_batches cuts the streams, utils.CharLSTM is the model, and utils.fit trains it with the step
utils.TBPTTStep (truncated backpropagation through time, gradient clipping at 1), as the lecture's training cell
does, with the lecture's full-mode settings (embedding 64, 2 LSTM layers of 512, dropout 0.25, batches of 64
sequences of 128 characters, Adam 2e-3 annealed to 0 by a cosine over --epochs epochs) and utils.speed_options
(bf16 autocast on a CPU with bfloat16 units; --no-speed turns it off). The evaluation is the lecture's: after each
epoch, utils.stream_loss over the whole validation split in 64 streams of 256 characters (timed apart).
Prints each epoch's training time and validation loss, the characters per second, the FLOP/s against the CPU's
peaks (an LSTM layer costs 2 x 4H x (I + H) FLOP per character forward, twice that backward), and the training
time until each target was reached.

With --throughput it only times training steps, float32 and with the speed options alternately (3 rounds of a few
steps each, median), and prints both rates and their ratio: the speed-up measured in one run.

    python -m bench.char_rnn [--tiny] [--device cuda] [--epochs 12] [--no-speed] [--throughput]
"""
import time

import torch

import utils
from bench.common import fraction_of_peak, header, median, parse_args, peak_line, pick_device, synchronize

TARGETS = (1.6, 1.5, 1.47)


def training_flop_per_character(model: utils.CharLSTM) -> float:
    """FLOP of one character's forward and backward pass: the LSTM's gate products and the head (x3 for backward)."""
    lstm, head = model.lstm, model.head
    forward = sum(2 * 4 * lstm.hidden_size * ((lstm.input_size if layer == 0 else lstm.hidden_size) + lstm.hidden_size)
                  for layer in range(lstm.num_layers))
    return 3 * (forward + 2 * head.in_features * head.out_features)


def compare_throughput(vocab_size: int, batches: list, device: torch.device, embed_size: int, hidden_size: int,
                       rounds: int, steps: int) -> None:
    """Characters per second of training in float32 and with utils.speed_options, alternating, and their ratio."""
    contenders = {"float32": None, "speed options": utils.speed_options(device)["autocast_dtype"]}
    runs = {}
    for name, dtype in contenders.items():
        utils.set_seed(0)
        model = utils.CharLSTM(vocab_size, embed_size, hidden_size, num_layers=2, dropout=0.25).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        runs[name] = (model, optimizer, utils.TBPTTStep(model, optimizer, max_norm=1.0, autocast_dtype=dtype))
        utils.fit(model, batches[:2], optimizer, 1, step=runs[name][2], report=None, progress=False)   # warm-up
    seconds = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, (model, optimizer, step) in runs.items():
            synchronize(device)
            start = time.perf_counter()
            utils.fit(model, batches[:steps], optimizer, 1, step=step, report=None, progress=False)
            synchronize(device)
            seconds[name].append(time.perf_counter() - start)
    characters = sum(X.numel() for X, _ in batches[:steps])
    rates = {name: characters / median(values) for name, values in seconds.items()}
    flop = training_flop_per_character(runs["float32"][0])
    for name, rate in rates.items():
        print(f"{name:>14} ({contenders[name]}): {rate:,.0f} characters/s; {fraction_of_peak(rate * flop, 1.0)}")
    print(f"speed-up of the speed options: x{rates['speed options'] / rates['float32']:.2f}")


def main() -> None:
    def extra(parser):
        parser.add_argument("--epochs", type=int, default=12, help="epochs of the cosine schedule")
        parser.add_argument("--no-speed", action="store_true", help="without utils.speed_options (float32)")
        parser.add_argument("--throughput", action="store_true", help="only float32 against the speed options")

    args = parse_args(__doc__.splitlines()[0], extra)
    device = pick_device(args.device)
    hidden_size, embed_size, batch_size, seq_len = (64, 16, 8, 32) if args.tiny else (512, 64, 64, 128)
    num_epochs = 1 if args.tiny else args.epochs
    speed = {"autocast_dtype": None} if args.no_speed else utils.speed_options(device)
    header(f"char-level LSTM 2x{hidden_size}, batch {batch_size}x{seq_len}, {num_epochs} epochs, "
           f"autocast {speed['autocast_dtype']}", device)
    if device.type == "cpu":
        print(peak_line())
    text = utils.load_shakespeare()
    vocab = utils.Vocabulary(text)
    train_data, val_data = utils.split_text(vocab.encode(text))
    if args.tiny:
        train_data, val_data = train_data[:20_000], val_data[:4_096]
    X_train, y_train = utils.make_batches(train_data, batch_size, seq_len)
    X_val, y_val = utils.make_batches(val_data, 64, 256 if not args.tiny else 32)     # the lecture's validation
    train_batches = list(zip(X_train.to(device), y_train.to(device)))     # as the lecture's training cell
    if args.throughput:
        compare_throughput(len(vocab), train_batches, device, embed_size, hidden_size,
                           rounds=1 if args.tiny else args.repeats, steps=2 if args.tiny else 8)
        return
    utils.set_seed(0)
    model = utils.CharLSTM(len(vocab), embed_size, hidden_size, num_layers=2, dropout=0.0 if args.tiny else 0.25).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_epochs)
    step = utils.TBPTTStep(model, optimizer, max_norm=1.0, autocast_dtype=speed["autocast_dtype"])
    print(f"parameters: {utils.count_trainable(model):,}; training characters per epoch: {X_train.numel():,}; "
          f"validation characters: {X_val.numel():,}")

    training_seconds, reached, losses = 0.0, {}, []
    for epoch in range(1, num_epochs + 1):
        step.reset()
        synchronize(device)
        start = time.perf_counter()
        utils.fit(model, train_batches, optimizer, 1, step=step, report=None, progress=False)
        synchronize(device)
        training_seconds += time.perf_counter() - start
        scheduler.step()
        losses.append(utils.stream_loss(model, X_val, y_val))
        print(f"epoch {epoch:3d}  {training_seconds:8.1f} s of training  validation {losses[-1]:.3f} nats", flush=True)
        for target in TARGETS:
            if losses[-1] <= target and target not in reached:
                reached[target] = training_seconds
    characters = num_epochs * X_train.numel()
    print(f"throughput: {characters / training_seconds:,.0f} characters/s of training")
    if device.type == "cpu":
        print(f"arithmetic: {fraction_of_peak(characters * training_flop_per_character(model), training_seconds)}")
    print(f"validation: last {losses[-1]:.3f} nats, best {min(losses):.3f} (epoch {losses.index(min(losses)) + 1})")
    for target in TARGETS:
        status = f"{reached[target]:.1f} s of training" if target in reached else "not reached"
        print(f"time to {target} nats/char: {status}")


if __name__ == "__main__":
    main()
