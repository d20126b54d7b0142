package dev.loracurve.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void aKeyStoreRewrittenWithOtherContentIsReportedAndATouchIsNot() throws Exception {
        Path keyStore = Files.writeString(dir.resolve("user.p12"), "first certificate");
        Path trustStore = Files.writeString(dir.resolve("ca.crt"), "the CA");
        Properties p = new Properties();
        p.setProperty("ssl.keystore.location", keyStore.toString());
        p.setProperty("ssl.truststore.location", trustStore.toString());
        KafkaCredentials atStart = KafkaCredentials.of(p);
        assertNull(atStart.renewed());
        Files.writeString(trustStore, "the CA"); // same bytes, new mtime
        assertNull(atStart.renewed());
        Files.writeString(keyStore, "renewed certificate");
        assertEquals(keyStore, atStart.renewed());
    }

    @Test
    void withoutTlsSettingsNothingIsWatched() {
        assertNull(KafkaCredentials.of(new Properties()).renewed());
    }
}
