"""The peers' table: medians over rounds of each figure, per shape and thread count, and our
ratio to the peer that measures the same thing (llama.cpp for pp1, PyTorch + PEFT otherwise)."""
import statistics
import sys
from collections import defaultdict

runs = defaultdict(lambda: defaultdict(list))  # (shape, threads, peer) -> figure -> values
versions = {}
for line in open(sys.argv[1]):
    kv = dict(part.split("=", 1) for part in line.split())
    key = (kv["shape"], int(kv["threads"]), kv["peer"])
    for figure in ("pp1", "pp_batch", "train", "peak_mib", "fixed_mib", "weights_mib", "loaded_mib", "file_mib",
                   "scoring_peak_mib", "train_peak_mib", "heap_committed_mib", "activations_mib"):
        if figure in kv:
            runs[key][figure].append(float(kv[figure]))
    runs[key]["seq"] = kv["seq"]
    runs[key]["batch"] = kv["batch"]
    if "version" in kv:
        versions[kv["peer"]] = kv["version"]


def med(shape, threads, peer, figure):
    values = runs.get((shape, threads, peer), {}).get(figure)
    return statistics.median(values) if values else None


def cell(value, base=None, digits=0):
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text + (f" ({value / base:.2f}×)" if base else "")


print("| shape | threads | figure (tokens/s; peak MiB) | llama.cpp | PyTorch + PEFT | ours (× the peer) |")
print("|---|---:|---|---:|---:|---:|")
for shape, threads in sorted({(s, t) for s, t, _ in runs}):
    ours = runs[(shape, threads, "ours")]
    seq, batch = ours.get("seq", "?"), ours.get("batch", "?")
    rows = [
        (f"pp1: 1 × {seq}, last logits", "pp1", "llama_cpp"),
        (f"pp_batch: {batch} × {seq}, last logits", "pp_batch", "torch_peft"),
        (f"train: LoRA fwd+bwd {batch} × {seq}", "train", "torch_peft"),
    ]
    for label, figure, reference in rows:
        peer = med(shape, threads, reference, figure)
        print(f"| {shape} | {threads} | {label} | {cell(med(shape, threads, 'llama_cpp', figure))}"
              f" | {cell(med(shape, threads, 'torch_peft', figure))} | {cell(med(shape, threads, 'ours', figure), peer)} |")
    print(f"| {shape} | {threads} | peak memory (MiB) | {cell(med(shape, threads, 'llama_cpp', 'peak_mib'))}"
          f" | {cell(med(shape, threads, 'torch_peft', 'peak_mib'))} | {cell(med(shape, threads, 'ours', 'peak_mib'))} |")
print("\nOur memory (MiB, medians): fixed = the JVM with libtorch loaded, before the model; loaded = resident"
      " after loading it; activations = what the LoRA step's backward keeps, counted from the decoder's ops"
      " (BenchCommand.loraStepActivationBytes); scoring and train peak = the high-water mark of those figures alone"
      " (restarted before each); heap = the JVM heap committed at the end; mapped = file pages resident at the end.")
keys = ("fixed_mib", "weights_mib", "activations_mib", "loaded_mib", "scoring_peak_mib", "train_peak_mib",
        "peak_mib", "heap_committed_mib", "file_mib")
print("| shape | threads | fixed | weights (F32) | activations | loaded | scoring peak | train peak | peak"
      " | peak / (fixed + weights + activations) | heap | mapped |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for shape, threads in sorted({(s, t) for s, t, p in runs if p == "ours"}):
    f, w, a, l, sp, tp, p, h, m = (med(shape, threads, "ours", k) for k in keys)
    ratio = f"{p / (f + w + a):.2f}" if None not in (p, f, w, a) else "–"
    print(f"| {shape} | {threads} | {cell(f)} | {cell(w)} | {cell(a)} | {cell(l)} | {cell(sp)} | {cell(tp)} | {cell(p)}"
          f" | {ratio} | {cell(h)} | {cell(m)} |")
rounds = max((len(v.get("pp1", [])) for v in runs.values()), default=0)
print(f"\nMedians of {rounds} alternating round(s); peers: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
