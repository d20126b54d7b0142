package dev.loracurve.service;

/**
 * A request that cannot run in the current state of what it names (FAILED_PRECONDITION): a cancel of
 * an experiment that already ended, a report that is not written yet. The client may retry later.
 */
public final class FailedPreconditionException extends RuntimeException {
    public FailedPreconditionException(String message) {
        super(message);
    }
}
