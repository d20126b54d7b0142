package dev.loracurve.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.broker.LocalBroker;
import dev.loracurve.proto.v1.ExperimentCancelled;
import dev.loracurve.service.testing.BrokerResource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who creates the topics, against a real broker: the services where they own them, else the operator. */
class TopicsTest {
    @TempDir
    Path dir;

    @Test
    void aServiceThatDoesNotCreateTopicsWaitsAndThenNamesTheMissingOnes() throws Exception {
        try (LocalBroker broker = start()) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> Topics.ensure(broker.bootstrapServers(), 3, false, Duration.ofMillis(500)));
            assertTrue(e.getMessage().contains(Topics.CHECKPOINTS), e.getMessage());
            assertTrue(e.getMessage().contains("LORACURVE_CREATE_TOPICS=false"), e.getMessage());
            assertEquals(Set.of(), topics(broker), "nothing was created");
            Topics.ensure(broker.bootstrapServers(), 3, true, Duration.ZERO);
            Topics.ensure(broker.bootstrapServers(), 3, false, Duration.ZERO); // now they are there
            assertEquals(new TreeSet<>(Topics.ALL), topics(broker));
        }
    }

    @Test
    void topicsAreNotCreatedWithAReplicationFactorBelowTheBrokersMinInSyncReplicas() throws Exception {
        try (LocalBroker broker = start();
                Admin admin = Admin.create(Topics.clientProperties(broker.bootstrapServers()))) {
            ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
            admin.incrementalAlterConfigs(Map.of(
                            cluster,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("min.insync.replicas", "2"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> Topics.ensure(broker.bootstrapServers(), 3, true, Duration.ZERO));
            assertTrue(
                    e.getMessage().contains("replication factor 1")
                            && e.getMessage().contains("min.insync.replicas 2"),
                    e.getMessage());
            assertEquals(Set.of(), topics(broker), "nothing was created");
        }
    }

    @Test
    void aServicePublishesOnlyToTheTopicsOfItsDescriptor() throws Exception {
        try (LocalBroker broker = start();
                EventBus trainer =
                        new EventBus(broker.bootstrapServers(), "trainer-svc", StageDescriptor.TRAINER.publishes())) {
            Topics.ensure(broker.bootstrapServers(), 1, true, Duration.ZERO);
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> trainer.publish(
                            Topics.EVALS,
                            "x",
                            null,
                            ExperimentCancelled.newBuilder().build()));
            assertTrue(e.getMessage().contains(Topics.EVALS), e.getMessage());
            trainer.publish(
                    Topics.CHECKPOINTS,
                    "x",
                    null,
                    ExperimentCancelled.newBuilder().build());
        }
    }

    private LocalBroker start() {
        return LocalBroker.start(dir.resolve("kafka"), BrokerResource.freePort(), BrokerResource.freePort());
    }

    private static Set<String> topics(LocalBroker broker) throws Exception {
        try (Admin admin = Admin.create(Topics.clientProperties(broker.bootstrapServers()))) {
            return new TreeSet<>(admin.listTopics().names().get());
        }
    }
}
