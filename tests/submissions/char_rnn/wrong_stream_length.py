# expect: zero=test_make_batches
# base: correct_indexing
# about: stream_length = len(data) // batch_size, forgetting the - 1 (same as the visible examples' 11 and 17 -> 3 batches; hidden tests on other lengths catch it)
# %% cell: make_batches
def make_batches(data, batch_size, seq_len):
    stream_length = len(data) // batch_size
    num_batches = (stream_length - 1) // seq_len
    i = torch.arange(num_batches).view(-1, 1, 1)
    b = torch.arange(batch_size).view(1, -1, 1)
    t = torch.arange(seq_len).view(1, 1, -1)
    index = b * stream_length + i * seq_len + t
    return data[index], data[index + 1]
