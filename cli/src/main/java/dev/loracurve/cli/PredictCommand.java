package dev.loracurve.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.proto.v1.ItemPrediction;
import dev.loracurve.proto.v1.PredictItem;
import dev.loracurve.proto.v1.PredictRequest;
import dev.loracurve.proto.v1.PredictResponse;
import dev.loracurve.proto.v1.PredictStreamRequest;
import dev.loracurve.proto.v1.PredictionServiceGrpc;
import dev.loracurve.proto.v1.SampleProbabilities;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Per-input predictions of a finished experiment: the BMA's choice and its uncertainty for each line of a file. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Predict with a finished experiment's posterior: for each item of FILE, its choice, the BMA"
                + " probabilities and the uncertainty (entropy, expected entropy, mutual information).")
final class PredictCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Items per Predict call; more go through PredictStream. */
    private static final int PER_CALL = 256;

    @Parameters(paramLabel = "ID", description = "a SUCCEEDED experiment of your team")
    String id;

    @Mixin
    StackCommands.GatewayAt gatewayAt;

    @Option(
            names = "--method",
            defaultValue = "curve",
            description = "curve, ensemble, linear, mcdropout, swag, map,"
                    + " or a report name (map-1) (default ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--samples", defaultValue = "0", description = "M posterior samples (default: the spec's)")
    int samples;

    @Option(
            names = "--items",
            required = true,
            description = "JSON lines {\"prompt\": \"…\", \"choices\": [\"…\", …]} (optional \"id\"); each choice is"
                    + " scored verbatim after the prompt")
    Path items;

    @Option(names = "--json", description = "one JSON object per item instead of the table")
    boolean json;

    @Option(names = "--per-sample", description = "with --json: each sample's probabilities too")
    boolean perSample;

    @Override
    public void run() {
        PredictRequest request = PredictRequest.newBuilder()
                .setExperimentId(id)
                .setMethod(method)
                .setSamples(samples)
                .setIncludeSamples(perSample)
                .addAllItems(read(items))
                .build();
        ManagedChannel channel = gatewayAt.connection("eval-svc").channel();
        try {
            PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(channel);
            List<PredictResponse> answers = new ArrayList<>();
            if (request.getItemsCount() <= PER_CALL) {
                answers.add(stub.predict(request));
            } else {
                stub.predictStream(PredictStreamRequest.newBuilder()
                                .setRequest(request)
                                .build())
                        .forEachRemaining(r -> answers.add(r.getChunk()));
            }
            if (!json && !answers.isEmpty()) {
                System.out.printf(
                        "%s, M = %d%n",
                        answers.get(0).getMethod(), answers.get(0).getSamples());
                System.out.printf("%-12s %6s %8s %8s %9s %9s%n", "item", "choice", "p", "entropy", "expected", "MI");
            }
            answers.forEach(a -> a.getPredictionsList().forEach(this::print));
        } finally {
            channel.shutdownNow();
        }
    }

    private void print(ItemPrediction p) {
        if (json) {
            ObjectNode o = JSON.createObjectNode().put("id", p.getId());
            p.getProbabilitiesList().forEach(o.putArray("probabilities")::add);
            o.put("choice", p.getChoice())
                    .put("entropy", p.getEntropy())
                    .put("expected_entropy", p.getExpectedEntropy())
                    .put("mutual_information", p.getMutualInformation());
            if (p.getSamplesCount() > 0) {
                var rows = o.putArray("samples");
                for (SampleProbabilities s : p.getSamplesList()) {
                    s.getProbabilitiesList().forEach(rows.addArray()::add);
                }
            }
            System.out.println(o);
        } else {
            System.out.printf(
                    "%-12s %6d %8.4f %8.4f %9.4f %9.4f%n",
                    p.getId(),
                    p.getChoice(),
                    p.getProbabilities(p.getChoice()),
                    p.getEntropy(),
                    p.getExpectedEntropy(),
                    p.getMutualInformation());
        }
    }

    /** The items of a JSON-lines file; a bad line is named with its number. */
    static List<PredictItem> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --items " + file, e);
        }
        List<PredictItem> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            try {
                JsonNode line = JSON.readTree(lines.get(n));
                PredictItem.Builder b = PredictItem.newBuilder()
                        .setId(line.path("id").asText(""))
                        .setPrompt(line.path("prompt").asText(""));
                line.path("choices").forEach(c -> b.addChoices(c.asText()));
                out.add(b.build());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        "--items " + file + ":" + (n + 1) + ": not a JSON object (" + e.getOriginalMessage() + ")");
            }
        }
        return out;
    }
}
