package dev.loracurve.cli.stack;

import dev.loracurve.core.store.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local stack's public-key infrastructure, made by {@code up} under its folder (development
 * only): a CA, a certificate for the services (localhost and 127.0.0.1), one for clients (mutual
 * TLS to Kafka and the services), all PEM; production brings its own (cert-manager, a mesh).
 */
public final class LocalPki {
    private final Path dir;

    private LocalPki(Path dir) {
        this.dir = dir;
    }

    /** The PKI of {@code dir}, made on first use (valid 30 days). */
    public static LocalPki in(Path dir) {
        LocalPki pki = new LocalPki(dir);
        if (!Files.exists(pki.ca())) {
            pki.make();
        }
        return pki;
    }

    public Path ca() {
        return dir.resolve("ca.crt");
    }

    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** Key and certificate in one PEM file, as Kafka's PEM key stores read them. */
    public Path serverKeyStore() {
        return dir.resolve("server-keystore.pem");
    }

    public Path clientKeyStore() {
        return dir.resolve("client-keystore.pem");
    }

    private void make() {
        try {
            KeyPair caKeys = keys();
            X500Name caName = new X500Name("CN=LoRA-Curve local CA");
            X509Certificate ca = sign(caName, caKeys, caName, caKeys.getPrivate(), true, null, null);
            KeyPair serverKeys = keys();
            X509Certificate server = sign(
                    new X500Name("CN=localhost"),
                    serverKeys,
                    caName,
                    caKeys.getPrivate(),
                    false,
                    // the broker also connects to itself as a client (inter-broker)
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth},
                    new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                    }));
            KeyPair clientKeys = keys();
            X509Certificate client = sign(
                    new X500Name("CN=loracurve-local-client"),
                    clientKeys,
                    caName,
                    caKeys.getPrivate(),
                    false,
                    new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth},
                    null);
            Files.createDirectories(dir);
            AtomicFiles.writeString(serverKey(), pem(serverKeys.getPrivate()));
            AtomicFiles.writeString(serverCert(), pem(server) + pem(ca));
            AtomicFiles.writeString(clientKey(), pem(clientKeys.getPrivate()));
            AtomicFiles.writeString(clientCert(), pem(client) + pem(ca));
            AtomicFiles.writeString(serverKeyStore(), pem(serverKeys.getPrivate()) + pem(server) + pem(ca));
            AtomicFiles.writeString(clientKeyStore(), pem(clientKeys.getPrivate()) + pem(client) + pem(ca));
            AtomicFiles.writeString(ca(), pem(ca)); // last: its presence means the rest is there
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the local stack's certificates in " + dir, e);
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(
            X500Name subject,
            KeyPair keys,
            X500Name issuer,
            PrivateKey issuerKey,
            boolean ca,
            KeyPurposeId[] purposes,
            GeneralNames names)
            throws GeneralSecurityException, IOException, OperatorCreationException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(30))),
                subject,
                keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(
                Extension.keyUsage,
                true,
                new KeyUsage(
                        ca
                                ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                                : KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        if (purposes != null) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
        }
        if (names != null) {
            b.addExtension(Extension.subjectAlternativeName, false, names);
        }
        X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
        }
        return out.toString();
    }

    /** Reads the folder's CA certificate (for clients that trust the local stack). */
    public String caPem() {
        try {
            return Files.readString(ca());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
