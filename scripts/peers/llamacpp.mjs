// llama.cpp (node-llama-cpp's prebuilt CPU binary) on a GGUF file: prompt processing of one
// sequence of --seq tokens, as llama.cpp's own pp benchmark (the last position's logits), timed
// the way `loracurve bench --model` times it: 2 warm-ups, repetitions up to a budget, the median.
// Prints one key=value line.
import {getLlama} from "node-llama-cpp";
import process from "node:process";

const args = Object.fromEntries(process.argv.slice(2).map((s, i, all) =>
    s.startsWith("--") ? [s.slice(2), all[i + 1]] : null).filter(Boolean));
const threads = Number(args.threads ?? 1);
const seq = Number(args.seq ?? 128);
const budget = Number(args.seconds ?? 8);

const llama = await getLlama({gpu: false, build: "never", maxThreads: threads});
const model = await llama.loadModel({modelPath: args.model, gpuLayers: 0});
const context = await model.createContext({contextSize: seq + 64, batchSize: seq, threads, sequences: 1});
const sequence = context.getSequence();
const tokens = Array.from({length: seq}, (_, i) => 3 + ((i * 7919) % 1000)); // ids below every shape's vocabulary

async function once() {
    await sequence.clearHistory();
    const t0 = process.hrtime.bigint();
    await sequence.evaluateWithoutGeneratingNewTokens(tokens);
    return Number(process.hrtime.bigint() - t0) / 1e9;
}
await once();
await once();
const times = [];
const start = Date.now();
while (times.length < 3 || (times.length < 50 && (Date.now() - start) / 1e3 < budget)) {
    times.push(await once());
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const peakMib = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(`peer=llama_cpp threads=${threads} seq=${seq} batch=1 pp1=${(seq / median).toFixed(1)} peak_mib=${peakMib}`
    + ` version=node-llama-cpp-3.21.1`);
await context.dispose();
await model.dispose();
