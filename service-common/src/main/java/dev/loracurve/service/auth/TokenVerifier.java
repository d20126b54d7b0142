package dev.loracurve.service.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.JoseException;

/**
 * Verifies bearer tokens (signed JWTs, RS256 or ES256) with configured keys: an OIDC provider's
 * JWKS URL in production, or a PEM public key / JWKS file (the local stack's). The token must be
 * signed, unexpired (60 s of clock skew), of the configured issuer and audience when set, and carry
 * the team claim.
 */
public final class TokenVerifier {
    private final JwtConsumer consumer;
    private final String teamClaim;

    /**
     * @param keys      https://… JWKS URL, or a file: a PEM public key or a JWKS document
     * @param issuer    required "iss", or null
     * @param audience  required "aud", or null
     * @param teamClaim the claim that names the caller's team
     */
    public TokenVerifier(String keys, String issuer, String audience, String teamClaim) {
        JwtConsumerBuilder b = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(60)
                .setRequireSubject()
                // public-key signatures only: never "none", never an HMAC keyed with a public key
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256,
                        AlgorithmIdentifiers.RSA_USING_SHA384,
                        AlgorithmIdentifiers.RSA_USING_SHA512,
                        AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
                        AlgorithmIdentifiers.RSA_PSS_USING_SHA384,
                        AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                        AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
                        AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512));
        if (keys.startsWith("https://") || keys.startsWith("http://")) {
            b.setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(new HttpsJwks(keys)));
        } else {
            String text = read(Path.of(keys));
            if (text.trim().startsWith("{")) {
                try {
                    b.setVerificationKeyResolver(
                            new JwksVerificationKeyResolver(new JsonWebKeySet(text).getJsonWebKeys()));
                } catch (JoseException e) {
                    throw new IllegalArgumentException(keys + ": not a JWKS document (" + e.getMessage() + ")");
                }
            } else {
                b.setVerificationKey(pem(text, keys));
            }
        }
        if (issuer != null && !issuer.isBlank()) {
            b.setExpectedIssuer(issuer);
        }
        if (audience != null && !audience.isBlank()) {
            b.setExpectedAudience(audience);
        } else {
            b.setSkipDefaultAudienceValidation();
        }
        this.consumer = b.build();
        this.teamClaim = teamClaim;
    }

    /** The caller of an {@code authorization} header value ("Bearer …"). */
    public Caller verify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new UnauthenticatedException("a bearer token is required (authorization: Bearer <JWT>)");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new UnauthenticatedException("the authorization header must be 'Bearer <JWT>'");
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(authorization.substring(7).trim());
        } catch (InvalidJwtException e) {
            // the reason (expired, bad signature, wrong issuer) without echoing the token
            throw new UnauthenticatedException("invalid token: " + reason(e));
        }
        try {
            Object team = claims.getClaimValue(teamClaim);
            if (!(team instanceof String t) || !t.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new UnauthenticatedException("the token's '" + teamClaim + "' claim must name a team");
            }
            return new Caller(claims.getSubject(), t);
        } catch (MalformedClaimException e) {
            throw new UnauthenticatedException("invalid token: a claim has the wrong type");
        }
    }

    /** Reasons in this project's words, in the order they are checked; none echoes the token or a library class. */
    private static final List<Map.Entry<Integer, String>> REASONS = List.of(
            Map.entry(ErrorCodes.SIGNATURE_MISSING, "it is not signed"),
            Map.entry(ErrorCodes.SIGNATURE_INVALID, "bad signature (not signed by a key this installation trusts)"),
            Map.entry(ErrorCodes.EXPIRATION_MISSING, "it has no expiry (exp claim)"),
            Map.entry(ErrorCodes.NOT_YET_VALID, "not valid yet (nbf claim)"),
            Map.entry(ErrorCodes.ISSUER_MISSING, "it names no issuer (iss claim)"),
            Map.entry(ErrorCodes.ISSUER_INVALID, "issued by another issuer than this installation trusts (iss claim)"),
            Map.entry(ErrorCodes.AUDIENCE_MISSING, "it names no audience (aud claim)"),
            Map.entry(ErrorCodes.AUDIENCE_INVALID, "issued for another audience (aud claim)"),
            Map.entry(ErrorCodes.SUBJECT_MISSING, "it names no subject (sub claim)"),
            Map.entry(ErrorCodes.MALFORMED_CLAIM, "a claim has the wrong type"),
            Map.entry(ErrorCodes.JSON_INVALID, "its claims are not JSON"));

    private static String reason(InvalidJwtException e) {
        if (e.hasExpired()) {
            return "expired";
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InvalidAlgorithmException) {
                return "unsupported signing algorithm (public-key signatures only: RS*, PS* or ES*)";
            }
        }
        return REASONS.stream()
                .filter(r -> e.hasErrorCode(r.getKey()))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse("not a valid JWT");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token verification key " + p, e);
        }
    }

    /** A PEM "PUBLIC KEY" (X.509 SubjectPublicKeyInfo), RSA or EC. */
    static PublicKey pem(String text, String where) {
        String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        for (String alg : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception ignored) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(where + ": not a PEM public key (RSA or EC)");
    }
}
