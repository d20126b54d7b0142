package dev.loracurve.service;

/**
 * ALREADY_EXISTS: a direct Start names an experiment id another team owns, or a CreateExperiment
 * reuses a request id with another spec; the caller picks another id.
 */
public final class ExperimentTakenException extends RuntimeException {
    private ExperimentTakenException(String message) {
        super(message);
    }

    public static ExperimentTakenException idInUse(String experimentId) {
        return new ExperimentTakenException("experiment_id '" + experimentId + "' is in use; choose another");
    }

    public static ExperimentTakenException requestReused(String requestId, String experimentId) {
        return new ExperimentTakenException("request_id '" + requestId + "' was used with another spec (" + experimentId
                + "); use a new request id for a new experiment");
    }
}
