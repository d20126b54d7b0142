"""Writes an F32 GGUF file for llama.cpp from a Hugging Face folder of ours (config.json,
model.safetensors, a word-level tokenizer): the same weights the other peers load.

The vocabulary is written as SentencePiece pieces (the 256 byte pieces, then one word per id) with zero scores, enough for llama.cpp to
load the model; the benchmark feeds token ids, never text. Q and K are not permuted into
llama.cpp's rotary layout (convert_hf_to_gguf.py does, for llama): the logits then differ from the
Hugging Face model's, the work done is the same, and only the work is measured.
"""
import argparse
import json
import os

import gguf
import numpy as np
from safetensors.numpy import load_file

NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm",
}


def gguf_name(hf):
    if hf == "model.embed_tokens.weight":
        return "token_embd.weight"
    if hf == "model.norm.weight":
        return "output_norm.weight"
    if hf == "lm_head.weight":
        return "output.weight"
    parts = hf.split(".")  # model.layers.N.<module...>.(weight|bias)
    module = ".".join(parts[3:-1])
    return f"blk.{parts[2]}.{NAMES[module]}.{parts[-1]}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("out")
    a = p.parse_args()
    c = json.load(open(os.path.join(a.model, "config.json")))
    arch = c["model_type"]
    w = gguf.GGUFWriter(a.out, arch)
    w.add_context_length(4096)
    w.add_embedding_length(c["hidden_size"])
    w.add_block_count(c["num_hidden_layers"])
    w.add_feed_forward_length(c["intermediate_size"])
    w.add_head_count(c["num_attention_heads"])
    w.add_head_count_kv(c["num_key_value_heads"])
    w.add_rope_freq_base(c["rope_theta"])
    w.add_layer_norm_rms_eps(c["rms_norm_eps"])
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    vocab = c["vocab_size"]
    w.add_tokenizer_model("llama")
    # SentencePiece's byte pieces come first: llama.cpp looks up the newline's (<0x0A>) on load
    pieces = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + [gguf.TokenType.BYTE] * 256
    pieces += [f"w{i}" for i in range(len(pieces), vocab)]
    types += [gguf.TokenType.NORMAL] * (vocab - len(types))
    w.add_token_list(pieces)
    w.add_token_scores([0.0] * vocab)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    for name, t in load_file(os.path.join(a.model, "model.safetensors")).items():
        w.add_tensor(gguf_name(name), t.astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
