package dev.loracurve.service.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
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

    /** The message a refused token gets: the reason in our words, no part of the token, no library class. */
    private static String refusal(TokenVerifier v, String token) {
        String m = assertThrows(UnauthenticatedException.class, () -> v.verify("Bearer " + token))
                .getMessage();
        assertFalse(m.contains("eyJ") || m.contains(token.substring(0, 12)), "echoes the token: " + m);
        assertFalse(m.contains("org.") || m.contains("Exception") || m.contains("JsonWeb"), "names a class: " + m);
        return m;
    }

    @Test
    void eachRefusalSaysWhyInOneSentence() throws Exception {
        TokenVerifier v = verifier();
        String expired = LocalSigner.in(dir).token("alice", "vision", Duration.ofMinutes(-5));
        assertEquals("invalid token: expired", refusal(v, expired));

        // signed by another installation's key
        Path other = dir.resolve("other");
        String foreign = LocalSigner.in(other).token("alice", "vision", Duration.ofMinutes(5));
        assertEquals(
                "invalid token: bad signature (not signed by a key this installation trusts)", refusal(v, foreign));

        JsonWebSignature none = new JsonWebSignature();
        none.setPayload(claims("vision").toJson());
        none.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        none.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        assertEquals(
                "invalid token: unsupported signing algorithm (public-key signatures only: RS*, PS* or ES*)",
                refusal(v, none.getCompactSerialization()));

        JwtClaims wrongIssuer = claims("vision");
        wrongIssuer.setIssuer("someone-else");
        assertEquals(
                "invalid token: issued by another issuer than this installation trusts (iss claim)",
                refusal(v, signed(wrongIssuer)));
        JwtClaims noExpiry = claims("vision");
        noExpiry.unsetClaim("exp");
        assertEquals("invalid token: it has no expiry (exp claim)", refusal(v, signed(noExpiry)));
    }

    /** Claims signed with the installation's own key (the private key LocalSigner keeps). */
    private String signed(JwtClaims c) throws Exception {
        LocalSigner.in(dir);
        String b64 = Files.readString(dir.resolve("signing.key"))
                .replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(c.toJson());
        jws.setKey(KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64))));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    @Test
    void aTeamClaimMustBeAPlainName() {
        TokenVerifier v = verifier();
        String bad = LocalSigner.in(dir).token("alice", "../other team", Duration.ofMinutes(5));
        assertThrows(UnauthenticatedException.class, () -> v.verify("Bearer " + bad));
    }
}
