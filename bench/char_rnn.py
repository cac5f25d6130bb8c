"""Benchmark 4: the character-level LSTM of lecture 05: training throughput and time to 1.6 nats per character.

The model and settings of the lecture's full mode (embedding 64, 2 LSTM layers of 512, dropout 0.25, batches of
64 sequences of 128 characters, Adam 2e-3, gradient clipping at 1), trained with truncated backpropagation
through time on tiny-shakespeare. Prints characters per second (training steps only) and the training time until
the validation loss (on the first 64k validation characters, timed apart) reaches 1.6 nats, or that it did not
within --max-seconds.

    python -m bench.char_rnn [--tiny] [--device cuda] [--max-seconds 600]
"""
import time

import torch
from torch import nn

import utils
from bench.common import header, parse_args, pick_device, synchronize

TARGET = 1.6


class CharLSTM(nn.Module):
    """Embedding, stacked LSTM, linear head: the lecture's model."""

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, dropout: float):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.lstm = nn.LSTM(embed_size, hidden_size, 2, batch_first=True, dropout=dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, X, state=None):
        outputs, state = self.lstm(self.embed(X), state)
        return self.head(outputs), state


def streams(data: torch.Tensor, batch_size: int, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets) of shape (num_batches, batch_size, seq_len): batch_size contiguous streams, shifted by one."""
    length = (len(data) - 1) // batch_size // seq_len * seq_len
    inputs = data[:batch_size * length].view(batch_size, -1)
    targets = data[1:batch_size * length + 1].view(batch_size, -1)
    return (inputs.view(batch_size, -1, seq_len).transpose(0, 1).contiguous(),
            targets.view(batch_size, -1, seq_len).transpose(0, 1).contiguous())


def validation_loss(model, X_val, Y_val) -> float:
    """Mean cross-entropy (nats per character) over the validation batches, state carried."""
    model.eval()
    total, state = 0.0, None
    with torch.no_grad():
        for X, Y in zip(X_val, Y_val):
            logits, state = model(X, state)
            total += nn.functional.cross_entropy(logits.flatten(0, 1), Y.flatten()).item()
    model.train()
    return total / len(X_val)


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
    X_train, Y_train = (t.to(device) for t in streams(train_data, batch_size, seq_len))
    X_val, Y_val = (t.to(device) for t in streams(val_data[:4_096 if args.tiny else 65_536], batch_size, seq_len))
    utils.set_seed(0)
    model = CharLSTM(len(vocab), embed_size, hidden_size, dropout=0.0 if args.tiny else 0.25).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    print(f"parameters: {utils.count_trainable(model):,}; training characters per epoch: {X_train.numel():,}")

    training_seconds, steps, state, reached, loss = 0.0, 0, None, None, float("nan")
    while training_seconds < max_seconds and reached is None:
        synchronize(device)
        start = time.perf_counter()
        for _ in range(args.eval_every):
            index = steps % len(X_train)
            if index == 0:
                state = None  # a new epoch starts the streams again
            logits, state = model(X_train[index], state)
            state = tuple(s.detach() for s in state)  # truncated BPTT: carry the state, not its history
            step_loss = nn.functional.cross_entropy(logits.flatten(0, 1), Y_train[index].flatten())
            optimizer.zero_grad(set_to_none=True)
            step_loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            steps += 1
        synchronize(device)
        training_seconds += time.perf_counter() - start
        loss = validation_loss(model, X_val, Y_val)
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
