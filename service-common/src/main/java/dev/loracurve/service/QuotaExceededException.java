package dev.loracurve.service;

/** A team's quota would be exceeded (RESOURCE_EXHAUSTED): the message names the limit, its value and the request's. */
public final class QuotaExceededException extends RuntimeException {
    private final String limit;
    private final String team;

    public QuotaExceededException(String limit, String team, String message) {
        super(message);
        this.limit = limit;
        this.team = team;
    }

    /** The team whose quota it is. */
    public String team() {
        return team;
    }

    /** Whether the same request may pass later (when the team's running experiments end). */
    public boolean passes() {
        return limit.equals("max-running");
    }

    /** The quota's name, e.g. max-running. */
    public String limit() {
        return limit;
    }
}
