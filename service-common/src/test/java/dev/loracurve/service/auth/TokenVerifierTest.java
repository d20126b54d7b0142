package dev.loracurve.service.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token verification against real signatures: what is accepted, and the classic forgeries refused. */
class TokenVerifierTest {
    @TempDir
    Path dir;

    private TokenVerifier verifier() {
        LocalSigner.in(dir);
        return new TokenVerifier(LocalSigner.publicKey(dir).toString(), LocalSigner.ISSUER, null, "team");
    }

    private static JwtClaims claims(String team) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(LocalSigner.ISSUER);
        c.setSubject("mallory");
        c.setExpirationTimeMinutesInTheFuture(10);
        c.setClaim("team", team);
        return c;
    }

    @Test
    void aSignedTokenNamesItsCallerAndTeam() {
        TokenVerifier v = verifier();
        Caller c = v.verify("Bearer " + LocalSigner.in(dir).token("alice", "vision", Duration.ofMinutes(5)));
        assertEquals("alice", c.subject());
        assertEquals("vision", c.team());
    }

    @Test
    void expiredMissingAndMalformedTokensAreRefused() {
        TokenVerifier v = verifier();
        String expired = LocalSigner.in(dir).token("alice", "vision", Duration.ofMinutes(-5));
        assertTrue(assertThrows(UnauthenticatedException.class, () -> v.verify("Bearer " + expired))
                .getMessage()
                .contains("expired"));
        assertThrows(UnauthenticatedException.class, () -> v.verify(null));
        assertThrows(UnauthenticatedException.class, () -> v.verify("Basic YWxpY2U6cHc="));
        assertThrows(UnauthenticatedException.class, () -> v.verify("Bearer not.a.jwt"));
    }

    @Test
    void unsignedAndHmacWithThePublicKeyAreRefused() throws Exception {
        TokenVerifier v = verifier();
        JsonWebSignature none = new JsonWebSignature();
        none.setPayload(claims("vision").toJson());
        none.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        none.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        String unsigned = none.getCompactSerialization();
        assertThrows(UnauthenticatedException.class, () -> v.verify("Bearer " + unsigned));

        // algorithm confusion: an HMAC keyed with the (public) verification key's bytes
        JsonWebSignature hmac = new JsonWebSignature();
        hmac.setPayload(claims("vision").toJson());
        hmac.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        hmac.setKey(new HmacKey(Files.readString(LocalSigner.publicKey(dir)).getBytes(StandardCharsets.UTF_8)));
        hmac.setDoKeyValidation(false);
        String confused = hmac.getCompactSerialization();
        assertThrows(UnauthenticatedException.class, () -> v.verify("Bearer " + confused));
    }

    @Test
    void aTeamClaimMustBeAPlainName() {
        TokenVerifier v = verifier();
        String bad = LocalSigner.in(dir).token("alice", "../other team", Duration.ofMinutes(5));
        assertThrows(UnauthenticatedException.class, () -> v.verify("Bearer " + bad));
    }
}
