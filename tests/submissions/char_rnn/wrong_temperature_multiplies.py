# expect: zero=test_sample_temperature
# base: correct_reshape
# about: multiplies the logits by the temperature instead of dividing (greedy and top-k at temperature 1 are right)
# %% cell: sample
def sample(logits, temperature=1.0, top_k=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    scaled = logits * temperature
    if top_k is not None:
        kth = torch.topk(scaled, min(top_k, scaled.shape[-1]), dim=-1).values[:, -1:]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    return torch.multinomial(probs, num_samples=1).squeeze(1)
