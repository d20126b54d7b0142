"""PyTorch eager + PEFT on a model folder: the figures `loracurve bench --model` prints, measured
the same way (2 warm-ups, then repetitions up to a time budget, medians), as one key=value line.

pp1:      one sequence of --seq tokens, the last position's logits (llama.cpp's prompt processing)
pp_batch: --batch sequences, the last position's logits of each
train:    PEFT LoRA (r --rank, alpha 2r, on all seven projections) forward+backward of the batch,
          mean next-token loss over all positions
"""
import argparse
import resource
import statistics
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def median_seconds(body, budget):
    body()
    body()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (len(times) < 50 and time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--seconds", type=float, default=8)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)
    vocab = model.config.vocab_size
    one = torch.randint(0, vocab, (1, a.seq))
    many = torch.randint(0, vocab, (a.batch, a.seq))

    def last_logits(ids):
        with torch.inference_mode():
            hidden = model.model(input_ids=ids).last_hidden_state  # (B, T, H)
            model.lm_head(hidden[:, -1, :])[0, 0].item()

    pp1 = median_seconds(lambda: last_logits(one), a.seconds)
    pp_batch = median_seconds(lambda: last_logits(many), a.seconds)

    peft_model = get_peft_model(
        model, LoraConfig(r=a.rank, lora_alpha=2 * a.rank, lora_dropout=0.0, target_modules=TARGETS)
    )
    peft_model.train()

    def step():
        out = peft_model(input_ids=many, labels=many)
        out.loss.backward()
        peft_model.zero_grad(set_to_none=True)

    train = median_seconds(step, a.seconds)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"peer=torch_peft threads={a.threads} seq={a.seq} batch={a.batch} pp1={a.seq / pp1:.1f}"
        f" pp_batch={a.batch * a.seq / pp_batch:.1f} train={a.batch * a.seq / train:.1f} peak_mib={peak_mib}"
        f" version=torch-{torch.__version__}"
    )


if __name__ == "__main__":
    main()
