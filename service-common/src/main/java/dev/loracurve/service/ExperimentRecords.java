package dev.loracurve.service;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.service.store.Store;
import dev.loracurve.service.store.StoreException;
import java.util.Optional;

/**
 * The experiments' records in the store, as the gateway keeps them (experiments/ID/experiment.binpb):
 * its team, state, spec and artifacts. The gateway writes them; a stage that serves a finished
 * experiment (predictions) reads them.
 */
public final class ExperimentRecords {
    private static final String RECORD = "experiment.binpb";

    private ExperimentRecords() {}

    public static String key(String id) {
        return StageRuntime.experimentKey(id) + "/" + RECORD;
    }

    /** The record of experiment {@code id}, if the store has one. */
    public static Optional<Experiment> find(Store store, String id) {
        return read(store, key(id), "the record of experiment " + id);
    }

    /** An Experiment stored at {@code key} (a record, a request marker); {@code what} names it when corrupt. */
    public static Optional<Experiment> read(Store store, String key, String what) {
        return store.read(key).map(bytes -> {
            try {
                return Experiment.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new StoreException(what + " is corrupt: " + e.getMessage(), e, false);
            }
        });
    }
}
