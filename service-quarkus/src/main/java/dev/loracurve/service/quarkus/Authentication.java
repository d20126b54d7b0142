package dev.loracurve.service.quarkus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.loracurve.service.auth.Caller;
import dev.loracurve.service.auth.TokenVerifier;
import dev.loracurve.service.auth.UnauthenticatedException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every gRPC call of every service but health checks needs a bearer token (a JWT verified with the
 * configured keys: an OIDC provider's JWKS URL in production, the local stack's key in
 * development); without one, or with an expired or tampered one, the call ends UNAUTHENTICATED
 * before any handler runs. The caller (subject, team claim) goes into the call's context, and each
 * call leaves one line in the audit log (JSON: who, which call, which experiment, the outcome).
 */
@GlobalInterceptor
@ApplicationScoped
public class Authentication implements ServerInterceptor {
    private static final Logger AUDIT = Logger.getLogger("loracurve.audit");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @ConfigProperty(name = "loracurve.auth.keys")
    Optional<String> keys;

    @ConfigProperty(name = "loracurve.auth.issuer")
    Optional<String> issuer;

    @ConfigProperty(name = "loracurve.auth.audience")
    Optional<String> audience;

    @ConfigProperty(name = "loracurve.auth.team-claim", defaultValue = "team")
    String teamClaim;

    @Inject
    MeterRegistry registry;

    private TokenVerifier verifier;

    @PostConstruct
    void init() {
        verifier = new TokenVerifier(
                keys.filter(k -> !k.isBlank())
                        .orElseThrow(() -> new IllegalStateException(
                                "LORACURVE_AUTH_KEYS (loracurve.auth.keys) must name the token verification keys:"
                                        + " a JWKS URL, or a PEM public key or JWKS file")),
                issuer.orElse(null),
                audience.orElse(null),
                teamClaim);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (method.startsWith("grpc.health.v1.")) {
            return next.startCall(call, headers); // the orchestrator's probes carry no token
        }
        Caller caller;
        try {
            caller = verifier.verify(headers.get(AUTHORIZATION));
        } catch (UnauthenticatedException e) {
            count(method, Status.Code.UNAUTHENTICATED);
            audit(null, method, "", Status.Code.UNAUTHENTICATED, e.getMessage());
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        String[] experiment = {""};
        ServerCall<Q, R> audited = new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                if (experiment[0].isEmpty() && message instanceof Message m) {
                    experiment[0] = experimentIn(m); // what CreateExperiment made
                }
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                count(method, status.getCode());
                audit(
                        caller,
                        method,
                        experiment[0],
                        status.getCode(),
                        status.getCode() == Status.Code.OK ? "" : status.getDescription());
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener =
                Contexts.interceptCall(Context.current().withValue(Caller.KEY, caller), audited, headers, next);
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                if (message instanceof Message m) {
                    String id = field(m, "experiment_id");
                    experiment[0] = id.isEmpty() ? field(m, "job_id") : id;
                }
                super.onMessage(message);
            }
        };
    }

    /** The experiment a response is about: {@code experiment.id} or {@code job.experiment_id}. */
    private static String experimentIn(Message response) {
        FieldDescriptor experiment = response.getDescriptorForType().findFieldByName("experiment");
        if (experiment != null && experiment.getType() == FieldDescriptor.Type.MESSAGE) {
            return field((Message) response.getField(experiment), "id");
        }
        FieldDescriptor job = response.getDescriptorForType().findFieldByName("job");
        if (job != null && job.getType() == FieldDescriptor.Type.MESSAGE) {
            return field((Message) response.getField(job), "experiment_id");
        }
        return "";
    }

    /** The calls-by-status metric: errors by status code and method. */
    private void count(String method, Status.Code status) {
        registry.counter("loracurve.grpc.calls", "method", method, "status", status.name())
                .increment();
    }

    private static String field(Message m, String name) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        return f != null && f.getType() == FieldDescriptor.Type.STRING ? (String) m.getField(f) : "";
    }

    private static void audit(Caller caller, String method, String experiment, Status.Code outcome, String detail) {
        ObjectNode line = JSON.createObjectNode()
                .put("time", Instant.now().toString())
                .put("subject", caller == null ? "" : caller.subject())
                .put("team", caller == null ? "" : caller.team())
                .put("call", method)
                .put("experiment", experiment)
                .put("outcome", outcome.name());
        if (detail != null && !detail.isEmpty()) {
            line.put("detail", detail.length() > 200 ? detail.substring(0, 200) : detail);
        }
        AUDIT.info(line.toString());
    }
}
