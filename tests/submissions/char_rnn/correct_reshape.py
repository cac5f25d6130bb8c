# expect: full
# about: streams by reshape and transpose, top-k by masking with -inf then multinomial, bits from cross_entropy / ln 2
# %% cell: make_batches
def make_batches(data, batch_size, seq_len):
    '''Inputs X and targets Y of shape (num_batches, batch_size, seq_len); Y is X shifted by one character.'''
    stream_length = (len(data) - 1) // batch_size
    num_batches = stream_length // seq_len
    used = num_batches * seq_len

    def cut(offset):
        streams = torch.stack([data[b * stream_length + offset: b * stream_length + offset + used] for b in range(batch_size)])
        return streams.reshape(batch_size, num_batches, seq_len).transpose(0, 1).contiguous()

    return cut(0), cut(1)
# %% cell: sample
def sample(logits, temperature=1.0, top_k=None):
    '''One id per row of logits (N, V), drawn from softmax(logits / temperature) among the top_k largest.'''
    if temperature == 0:
        return logits.argmax(dim=-1)
    scaled = logits / temperature
    if top_k is not None:
        kth = torch.topk(scaled, min(top_k, scaled.shape[-1]), dim=-1).values[:, -1:]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    return torch.multinomial(probs, num_samples=1).squeeze(1)
# %% cell: bits_per_char
def bits_per_char(logits, targets):
    '''Mean cross-entropy of the logits (..., V) for the targets (...), in bits per character.'''
    nats = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    return nats.item() / math.log(2)
# %% cell: tbptt_answer
Backpropagating through the whole text would need to keep every activation of a million-step unrolled graph in memory
and would make one update per pass over the text, and gradients through very long chains vanish or explode anyway.
Short truncated windows give many cheap, stable updates. Carrying the state lets the network start each window with a
summary of what came before, so at test time it can use context longer than seq_len. But gradients never flow further
back than seq_len characters, so it cannot learn dependencies longer than that: e.g. to close a quotation or match a
speaker's name opened 200 characters earlier, the state may carry the information but training never teaches the
network to store it for that long.
