package dev.loracurve.service.auth;

import io.grpc.Context;

/**
 * Who calls: the subject and the team of a verified bearer token. The team owns what it creates
 * and sees nothing else. The authentication interceptor puts it in the call's gRPC context.
 */
public record Caller(String subject, String team) {
    public static final Context.Key<Caller> KEY = Context.key("loracurve-caller");

    /** The caller of the current gRPC call; IllegalStateException outside an authenticated call. */
    public static Caller current() {
        Caller c = KEY.get();
        if (c == null) {
            throw new IllegalStateException("no authenticated caller in this call");
        }
        return c;
    }
}
