package dev.loracurve.service.auth;

import dev.loracurve.core.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * The local stack's token issuer (development only; production uses the OIDC provider's tokens):
 * an RSA key pair in a folder (signing.key private, signing.pub public, the services' verification
 * key) and tokens signed with it.
 */
public final class LocalSigner {
    public static final String ISSUER = "loracurve-local";
    private final PrivateKey key;

    private LocalSigner(PrivateKey key) {
        this.key = key;
    }

    /** The signer of {@code dir}, creating its key pair on first use. */
    public static LocalSigner in(Path dir) {
        Path priv = dir.resolve("signing.key");
        try {
            if (!Files.exists(priv)) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                KeyPair pair = g.generateKeyPair();
                AtomicFiles.writeString(
                        dir.resolve("signing.pub"),
                        pem("PUBLIC KEY", pair.getPublic().getEncoded()));
                AtomicFiles.writeString(
                        priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            }
            String b64 =
                    Files.readString(priv).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return new LocalSigner(KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make or read the signing key in " + dir, e);
        }
    }

    /** The public key the services verify with. */
    public static Path publicKey(Path dir) {
        return dir.resolve("signing.pub");
    }

    /** A token of {@code team} valid for {@code ttl} (negative: already expired, for tests). */
    public String token(String subject, String team, Duration ttl) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(ISSUER);
        c.setSubject(subject);
        c.setIssuedAtToNow();
        c.setExpirationTimeMinutesInTheFuture(ttl.toSeconds() / 60f);
        c.setClaim("team", team);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(c.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
