"""Benchmark 4: the character-level LSTM of lecture 05: training throughput and time to 1.6 nats per character.

It runs the lecture's own code, imported from utils (saved from lectures/05_rnn_text_generation.ipynb):
utils.make_batches cuts the streams, utils.CharLSTM is the model, and utils.fit trains it with the step
utils.TBPTTStep (truncated backpropagation through time, gradient clipping at 1), as the lecture's training cell
does; utils.stream_loss measures the validation loss. The settings are the lecture's full mode (embedding 64,
2 LSTM layers of 512, dropout 0.25, batches of 64 sequences of 128 characters, Adam 2e-3) on tiny-shakespeare.
fit runs --eval-every steps at a time, so that the validation loss (on the first 64k validation characters, timed
apart) is measured between them. Prints characters per second (training steps only) and the training time until
the validation loss reaches 1.6 nats, or that it did not within --max-seconds.

    python -m bench.char_rnn [--tiny] [--device cuda] [--max-seconds 600]
"""
import time

import torch

import utils
from bench.common import header, parse_args, pick_device, synchronize

TARGET = 1.6


def main() -> None:
    def extra(parser):
        parser.add_argument("--max-seconds", type=float, default=600.0, help="training time allowed to reach the target")
        parser.add_argument("--eval-every", type=int, default=100, help="steps between validation losses")

    args = parse_args(__doc__.splitlines()[0], extra)
    device = pick_device(args.device)
    hidden_size, embed_size, batch_size, seq_len = (64, 16, 8, 32) if args.tiny else (512, 64, 64, 128)
    max_seconds = 3.0 if args.tiny else args.max_seconds
    header(f"char-level LSTM 2x{hidden_size}, batch {batch_size}x{seq_len}: throughput and time to {TARGET} nats/char", device)
    text = utils.load_shakespeare()
    vocab = utils.Vocabulary(text)
    train_data, val_data = utils.split_text(vocab.encode(text))
    X_train, y_train = utils.make_batches(train_data, batch_size, seq_len)
    X_val, y_val = utils.make_batches(val_data[:4_096 if args.tiny else 65_536], batch_size, seq_len)
    train_batches = list(zip(X_train.to(device), y_train.to(device)))     # as the lecture's training cell
    utils.set_seed(0)
    model = utils.CharLSTM(len(vocab), embed_size, hidden_size, num_layers=2, dropout=0.0 if args.tiny else 0.25).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    step = utils.TBPTTStep(model, optimizer, max_norm=1.0)
    print(f"parameters: {utils.count_trainable(model):,}; training characters per epoch: {X_train.numel():,}")

    training_seconds, steps, reached, loss = 0.0, 0, None, float("nan")
    while training_seconds < max_seconds and reached is None:
        index = steps % len(train_batches)
        if index == 0:
            step.reset()  # a new epoch starts the streams again (the lecture's before_epoch)
        chunk = train_batches[index:index + args.eval_every]
        synchronize(device)
        start = time.perf_counter()
        utils.fit(model, chunk, optimizer, 1, step=step, report=None, progress=False)
        synchronize(device)
        training_seconds += time.perf_counter() - start
        steps += len(chunk)
        loss = utils.stream_loss(model, X_val, y_val)
        print(f"step {steps:6d}  {training_seconds:8.1f} s  validation {loss:.3f} nats", flush=True)
        if loss <= TARGET:
            reached = training_seconds
    characters = steps * batch_size * seq_len
    print(f"throughput: {characters / training_seconds:,.0f} characters/s of training ({steps} steps)")
    if reached is not None:
        print(f"time to {TARGET} nats/char: {reached:.1f} s of training ({steps} steps, validation {loss:.3f})")
    else:
        print(f"time to {TARGET} nats/char: not reached within {max_seconds:.0f} s of training (validation {loss:.3f} nats)")


if __name__ == "__main__":
    main()
