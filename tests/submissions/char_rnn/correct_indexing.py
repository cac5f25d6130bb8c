# expect: full
# about: one index tensor built by broadcasting (b * stream_length + i * seq_len + t), sampling by sorting and cumulative draw with torch.multinomial on gathered probabilities, bits via log_softmax and gather
# %% cell: make_batches
def make_batches(data, batch_size, seq_len):
    stream_length = (len(data) - 1) // batch_size
    num_batches = stream_length // seq_len
    i = torch.arange(num_batches).view(-1, 1, 1)
    b = torch.arange(batch_size).view(1, -1, 1)
    t = torch.arange(seq_len).view(1, 1, -1)
    index = b * stream_length + i * seq_len + t
    return data[index], data[index + 1]
# %% cell: sample
def sample(logits, temperature=1.0, top_k=None):
    if temperature == 0:
        return torch.argmax(logits, dim=1).long()
    sorted_logits, order = torch.sort(logits / temperature, dim=1, descending=True)
    if top_k is not None:
        sorted_logits = sorted_logits[:, :top_k]
        order = order[:, :top_k]
    probs = torch.softmax(sorted_logits, dim=1)
    picks = torch.multinomial(probs, 1)
    return order.gather(1, picks).view(-1)
# %% cell: bits_per_char
def bits_per_char(logits, targets):
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    picked = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return float(-picked.mean() / math.log(2))
# %% cell: tbptt_answer
Full backpropagation through time would store activations for the whole text (memory grows with its length) and the
gradient through thousands of steps vanishes or explodes; it would also give one weight update per epoch. Truncation
bounds memory and time per update. Carrying the detached state gives each window a starting context from all earlier
text, which the forward pass can use. What it cannot learn is a dependency longer than the window, because no gradient
connects a character to its effect seq_len steps later: for example, that a line should rhyme with one two lines
earlier, or that a speech ends with the name given in its header.
