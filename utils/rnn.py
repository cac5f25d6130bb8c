"""Lecture 05's character-level LSTM: stream batches, the model, a truncated-BPTT step, the stateful loss, sampling.

Saved from lectures/05_rnn_text_generation.ipynb: edit both copies together (tests/test_saved_code.py).
"""
import torch
from torch import nn


def make_batches(data: torch.Tensor, batch_size: int, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs X and targets Y of shape (num_batches, batch_size, seq_len); Y is X shifted by one character."""
    stream_length = (len(data) - 1) // batch_size          # -1: the last input needs a target
    num_batches = stream_length // seq_len
    inputs = data[:batch_size * stream_length].view(batch_size, stream_length)
    targets = data[1:batch_size * stream_length + 1].view(batch_size, stream_length)
    used = num_batches * seq_len                            # a partial batch at the end is dropped
    X = inputs[:, :used].view(batch_size, num_batches, seq_len).transpose(0, 1)
    Y = targets[:, :used].view(batch_size, num_batches, seq_len).transpose(0, 1)
    return X, Y


class CharLSTM(nn.Module):
    """Embedding, a stack of LSTM layers, a linear layer: the scores (logits) of the next character at every step."""

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, num_layers: int = 2, dropout: float = 0.0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.lstm = nn.LSTM(embed_size, hidden_size, num_layers, batch_first=True, dropout=dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, X: torch.Tensor, state=None) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """X: (batch, time) ids -> logits (batch, time, vocab_size) and the LSTM state after the last step."""
        outputs, state = self.lstm(self.embed(X), state)
        return self.head(outputs), state


def detach_state(state: tuple[torch.Tensor, ...] | torch.Tensor) -> tuple[torch.Tensor, ...] | torch.Tensor:
    """The same state values, cut from the graph (an LSTM's state is a pair (h, c), a plain RNN's one tensor)."""
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class TBPTTStep:
    """fit's step for truncated backpropagation through time: the state goes on from batch to batch, detached."""

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer, max_norm: float = 1.0,
                 autocast_dtype: torch.dtype | None = None):
        self.model, self.optimizer, self.max_norm = model, optimizer, max_norm
        self.autocast_dtype = autocast_dtype                            # e.g. torch.bfloat16 (utils.speed_options)
        self.device = next(model.parameters()).device
        self.state = None

    def reset(self, epoch: int = 0) -> None:
        """Start the streams again from an empty state (fit's before_epoch)."""
        self.state = None

    def __call__(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        """One update on a batch (X, Y); returns its loss and its gradient norm before clipping, left on the device."""
        X, Y = (t.to(self.device, non_blocking=True) for t in batch)
        if self.state is not None:
            self.state = detach_state(self.state)                   # keep the values, cut the graph
        with torch.autocast(self.device.type, dtype=self.autocast_dtype, enabled=self.autocast_dtype is not None):
            logits, self.state = self.model(X, self.state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1).float(), Y.flatten())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(self.model.parameters(), self.max_norm)
        self.optimizer.step()
        return {"loss": loss.detach(), "grad_norm": grad_norm}


@torch.no_grad()
def stream_loss(model: nn.Module, X_batches: torch.Tensor, Y_batches: torch.Tensor) -> float:
    """Mean cross-entropy (nats per character) over the batches, carrying the state along the streams."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    state, total = None, torch.zeros((), device=device)
    for X, Y in zip(X_batches, Y_batches):
        logits, state = model(X.to(device), state)
        total += nn.functional.cross_entropy(logits.flatten(0, 1), Y.to(device).flatten())
    model.train(was_training)
    return total.item() / len(X_batches)


def next_char_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None) -> torch.Tensor:
    """softmax(logits / temperature) along the last axis, 0 outside the top_k largest logits; temperature 0: greedy."""
    if temperature == 0:
        return nn.functional.one_hot(logits.argmax(dim=-1), logits.shape[-1]).to(logits.dtype)
    scaled = logits / temperature
    if top_k is not None:
        kth_largest = torch.topk(scaled, top_k, dim=-1).values[..., -1:]
        scaled = scaled.masked_fill(scaled < kth_largest, float("-inf"))
    return torch.softmax(scaled, dim=-1)


def sample(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None) -> torch.Tensor:
    """One id drawn from next_char_probs for each row of logits (..., V): a tensor of shape (...)."""
    probs = next_char_probs(logits, temperature, top_k)
    return torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1).reshape(probs.shape[:-1])


@torch.no_grad()
def generate(model: nn.Module, vocab, prompt: str, num_chars: int, temperature: float = 1.0, top_k: int | None = None,
             sampler=sample) -> str:
    """The prompt and num_chars characters after it, each drawn by sampler from the model and fed back as input."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    logits, state = model(vocab.encode(prompt).to(device)[None])     # read the prompt, keep the state
    new_ids = []
    for _ in range(num_chars):
        next_id = sampler(logits[:, -1].float(), temperature=temperature, top_k=top_k)    # shape (1,)
        new_ids.append(next_id)
        logits, state = model(next_id[:, None].to(device), state)
    model.train(was_training)
    return prompt + vocab.decode(torch.cat(new_ids))
