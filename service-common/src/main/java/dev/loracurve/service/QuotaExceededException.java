package dev.loracurve.service;

/** A team's quota would be exceeded (RESOURCE_EXHAUSTED): the message names the limit, its value and the request's. */
public final class QuotaExceededException extends RuntimeException {
    private final String limit;

    public QuotaExceededException(String limit, String message) {
        super(message);
        this.limit = limit;
    }

    /** The quota's name, e.g. max-running. */
    public String limit() {
        return limit;
    }
}
