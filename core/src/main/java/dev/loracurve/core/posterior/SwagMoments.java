package dev.loracurve.core.posterior;

import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.SafetensorsFile;
import dev.loracurve.core.store.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * SWAG's moments of a run's iterates (Maddox et al., 2019): the running mean θ̄ and mean of
 * squares of θ, and the last K deviations θ_i − θ̄_i (θ̄_i the mean after θ_i). The moments are
 * accumulated in double (in float, θ²‾ − θ̄² is rounding noise of the order of 1e-7 θ² even for
 * iterates that never moved) and kept in the checkpoint as float pairs, so a resumed run ends
 * with the same bits as an uninterrupted one.
 */
public final class SwagMoments {
    /** The file beside a run's adapter. */
    public static final String FILE = "swag.safetensors";

    private final int rank;
    private final double[] mean;
    private final double[] sqMean;
    private final float[][] deviations; // a ring: iterate i's at (i - 1) % rank
    private int n;

    public SwagMoments(int size, int rank) {
        if (rank < 2) {
            throw new IllegalArgumentException("SWAG rank must be >= 2, got " + rank);
        }
        this.rank = rank;
        this.mean = new double[size];
        this.sqMean = new double[size];
        this.deviations = new float[rank][size];
    }

    /** Adds one iterate. */
    public void collect(float[] theta) {
        n++;
        float[] dev = deviations[(n - 1) % rank];
        for (int k = 0; k < theta.length; k++) {
            mean[k] += (theta[k] - mean[k]) / n;
            sqMean[k] += ((double) theta[k] * theta[k] - sqMean[k]) / n;
            dev[k] = (float) (theta[k] - mean[k]);
        }
    }

    public int iterates() {
        return n;
    }

    /**
     * SWAG's posterior: mean θ̄, covariance ½ diag(max(θ²‾ − θ̄², 0)) + D Dᵀ / (2(K − 1)) with the K
     * kept deviations as D's columns (K = min(iterates, rank)).
     */
    public GaussianPosterior posterior() {
        if (n < 2) {
            throw new IllegalStateException("SWAG needs at least 2 iterates, has " + n);
        }
        return posterior(toFloats(mean), diagonal(), Arrays.asList(deviations).subList(0, Math.min(n, rank)));
    }

    private static GaussianPosterior posterior(float[] mean, float[] diagonal, List<float[]> deviations) {
        float[] variance = new float[mean.length];
        for (int k = 0; k < variance.length; k++) {
            variance[k] = 0.5f * diagonal[k];
        }
        double scale = 1 / Math.sqrt(2.0 * (deviations.size() - 1));
        List<float[]> columns = new ArrayList<>();
        for (float[] d : deviations) {
            float[] c = new float[mean.length];
            for (int k = 0; k < c.length; k++) {
                c[k] = (float) (d[k] * scale);
            }
            columns.add(c);
        }
        return new GaussianPosterior(mean, variance, columns);
    }

    /** SWAG's diagonal variance θ²‾ − θ̄², clamped at 0. */
    private float[] diagonal() {
        float[] out = new float[mean.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) Math.max(sqMean[k] - mean[k] * mean[k], 0);
        }
        return out;
    }

    /** Into a checkpoint's vectors (names prefixed swag_); {@link #restore} reads them back. */
    public void saveTo(Map<String, float[]> vectors) {
        vectors.put("swag_mean_hi", toFloats(mean));
        vectors.put("swag_mean_lo", remainder(mean));
        vectors.put("swag_sq_mean_hi", toFloats(sqMean));
        vectors.put("swag_sq_mean_lo", remainder(sqMean));
        vectors.put("swag_deviations", flat());
        vectors.put("swag_iterates", new float[] {n});
    }

    /** The moments a checkpoint holds, or fresh ones when it holds none. */
    public static SwagMoments restore(Map<String, float[]> vectors, int size, int rank) {
        SwagMoments s = new SwagMoments(size, rank);
        if (vectors.containsKey("swag_iterates")) {
            float[] flat = vectors.get("swag_deviations");
            if (vectors.get("swag_mean_hi").length != size || flat.length != rank * size) {
                throw new IllegalStateException("the checkpoint's SWAG moments do not match this run's size and rank");
            }
            for (int k = 0; k < size; k++) {
                s.mean[k] = (double) vectors.get("swag_mean_hi")[k] + vectors.get("swag_mean_lo")[k];
                s.sqMean[k] = (double) vectors.get("swag_sq_mean_hi")[k] + vectors.get("swag_sq_mean_lo")[k];
            }
            for (int j = 0; j < rank; j++) {
                System.arraycopy(flat, j * size, s.deviations[j], 0, size);
            }
            s.n = (int) vectors.get("swag_iterates")[0];
        }
        return s;
    }

    private static float[] toFloats(double[] x) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (float) x[k];
        }
        return out;
    }

    /** What float rounding left out of x: x = hi + lo to about 2^-48 relative. */
    private static float[] remainder(double[] x) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (float) (x[k] - (float) x[k]);
        }
        return out;
    }

    private float[] flat() {
        float[] out = new float[rank * mean.length];
        for (int j = 0; j < rank; j++) {
            System.arraycopy(deviations[j], 0, out, j * mean.length, mean.length);
        }
        return out;
    }

    /** Writes {@link #FILE} into a run's folder: mean, diagonal variance, and the kept deviations (K × size). */
    public void write(Path runDir) {
        int kept = Math.min(n, rank);
        new SafetensorsWriter()
                .add("mean", new long[] {mean.length}, toFloats(mean))
                .add("variance", new long[] {mean.length}, diagonal())
                .add("deviations", new long[] {kept, mean.length}, Arrays.copyOf(flat(), kept * mean.length))
                .metadata("iterates", Integer.toString(n))
                .write(runDir.resolve(FILE));
    }

    /** The SWAG posterior of a run folder, checked against θ's size. */
    public static GaussianPosterior read(Path runDir, int size) {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("swag: " + runDir + " has no " + FILE
                    + " (its run was trained without collecting SWAG moments: the training config's swag)");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            float[] mean = f.readFloats("mean");
            float[] diagonal = f.readFloats("variance");
            float[] flat = f.readFloats("deviations");
            if (mean.length != size || diagonal.length != size || flat.length % size != 0) {
                throw new CheckpointException(file, null, "holds moments of another size than this adapter's " + size);
            }
            int kept = flat.length / size;
            if (kept < 2) {
                throw new CheckpointException(file, null, "needs at least 2 deviations, has " + kept);
            }
            List<float[]> deviations = new ArrayList<>();
            for (int j = 0; j < kept; j++) {
                deviations.add(Arrays.copyOfRange(flat, j * size, (j + 1) * size));
            }
            return posterior(mean, diagonal, deviations);
        }
    }
}
