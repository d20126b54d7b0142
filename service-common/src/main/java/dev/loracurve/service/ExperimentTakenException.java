package dev.loracurve.service;

/** A direct Start names an experiment id another team owns (ALREADY_EXISTS): the caller picks another. */
public final class ExperimentTakenException extends RuntimeException {
    public ExperimentTakenException(String experimentId) {
        super("experiment_id '" + experimentId + "' is in use; choose another");
    }
}
