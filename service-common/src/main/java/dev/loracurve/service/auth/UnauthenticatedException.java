package dev.loracurve.service.auth;

/** A call without a valid bearer token: missing, malformed, tampered with, expired, or without a team. */
public final class UnauthenticatedException extends RuntimeException {
    public UnauthenticatedException(String message) {
        super(message);
    }
}
