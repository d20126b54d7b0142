package dev.loracurve.service.store;

/**
 * The store could not do what was asked (an S3 error, a full disk): the message names the
 * operation and the object; {@link #retriable()} says whether trying again may help.
 */
public final class StoreException extends RuntimeException {
    private final boolean retriable;

    public StoreException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
