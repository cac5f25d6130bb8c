# expect: zero=test_make_batches
# base: correct_indexing
# about: stream_length = len(data) // batch_size, forgetting the - 1 (the visible case of length 24, batch_size 4 catches it: streams start at 0, 6, 12, 18 instead of 0, 5, 10, 15)
# %% cell: make_batches
def make_batches(data, batch_size, seq_len):
    stream_length = len(data) // batch_size
    num_batches = (stream_length - 1) // seq_len
    i = torch.arange(num_batches).view(-1, 1, 1)
    b = torch.arange(batch_size).view(1, -1, 1)
    t = torch.arange(seq_len).view(1, 1, -1)
    index = b * stream_length + i * seq_len + t
    return data[index], data[index + 1]
