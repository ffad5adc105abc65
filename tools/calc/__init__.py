"""Pure calculation core: parameters, FLOPs, scaling-law fits, GPU time and memory.

No I/O, no LLM, no printing. Every formula carries its citation. Functions take
keyword-only arguments and return frozen dataclasses.
"""
