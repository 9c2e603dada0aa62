"""The generation engine: batched decoding on the model's own layers, fast on a laptop CPU.

BaseLLM (homework/base_llm.py) hands it token rows and gets new tokens back; nothing here knows about
prompts, answers or training. What it does: prompts are read in passes of similar length, a prompt start
shared by all rows is computed once, every row's keys and values live in buffers written in place,
finished rows leave and waiting rows join so each step computes a full batch, and the products go
through oneDNN's packed kernel on a CPU. Greedy texts equal transformers' generate() (tests/test_decoding.py),
which stays one switch away: HOMEWORK_DECODER=generate.

    decoding.py       LeanDecoder: the decoding loop, prompt passes, attention, one step
    rows.py           Rows: the rows decoded together and their key/value buffers
    prefix_cache.py   PrefixCache: a shared prompt start computed once, and the rule for reading it
    output_head.py    the output matrix, a part of the vocabulary at a time
    packed_linear.py  a linear layer through oneDNN's packed kernel
    sampling.py       sampling with one seeded random stream per row
    attention.py      grouped-query attention for generate(), key/value heads read in place
    allocator.py      freed memory kept in the process between steps (glibc)
"""
