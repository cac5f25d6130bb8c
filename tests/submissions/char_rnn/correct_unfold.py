# expect: full
# about: streams as rows of a (batch_size, stream_length) matrix sliced per batch and stacked, top-k via torch.topk and scattering back, temperature through torch.distributions.Categorical, bits via nll_loss in log2 units
# %% cell: make_batches
def make_batches(data, batch_size, seq_len):
    stream_length = (len(data) - 1) // batch_size
    num_batches = stream_length // seq_len
    inputs = data[: batch_size * stream_length].reshape(batch_size, stream_length)
    targets = data[1: batch_size * stream_length + 1].reshape(batch_size, stream_length)
    X = torch.stack([inputs[:, k * seq_len:(k + 1) * seq_len] for k in range(num_batches)]) if num_batches else inputs.new_empty(0, batch_size, seq_len)
    Y = torch.stack([targets[:, k * seq_len:(k + 1) * seq_len] for k in range(num_batches)]) if num_batches else inputs.new_empty(0, batch_size, seq_len)
    return X, Y
# %% cell: sample
def sample(logits, temperature=1.0, top_k=None):
    if temperature == 0:
        return logits.max(dim=1).indices
    scores = logits.clone() / temperature
    if top_k is not None and top_k < scores.shape[1]:
        values, indices = scores.topk(top_k, dim=1)
        scores = torch.full_like(scores, float("-inf")).scatter(1, indices, values)
    return torch.distributions.Categorical(logits=scores).sample().long()
# %% cell: bits_per_char
def bits_per_char(logits, targets):
    V = logits.size(-1)
    log2_probs = torch.log_softmax(logits, dim=-1) / math.log(2)
    return nn.functional.nll_loss(log2_probs.view(-1, V), targets.reshape(-1)).item()
# %% cell: tbptt_answer
Two reasons: memory (all activations of the unrolled network must be kept for the backward pass, which for the whole
text is impossible) and optimization (very long chains of Jacobians make gradients vanish or explode; and you would
update only once per pass). Carrying the state means the network sees, at the start of each batch, a summary of the
preceding text, so the forward pass has longer context than seq_len. It cannot learn long-range structure beyond the
truncation length, since errors never propagate that far back: e.g. remembering which character is speaking across a
long speech to predict the next speaker's name.
