package dev.loracurve.service;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.loracurve.service.trace.Tracing;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One event as read from Kafka: its CloudEvents attributes and protobuf payload.
 *
 * @param type the payload's full protobuf name, e.g. loracurve.v1.CheckpointAvailable
 * @param traceparent the W3C trace context it was published in; empty when tracing was off
 */
public record Event(
        String id,
        String type,
        String source,
        String key,
        byte[] payload,
        String topic,
        int partition,
        long offset,
        String traceparent) {

    static Event of(ConsumerRecord<String, byte[]> r) {
        return new Event(
                header(r, EventBus.CE_ID),
                header(r, EventBus.CE_TYPE),
                header(r, EventBus.CE_SOURCE),
                r.key(),
                r.value(),
                r.topic(),
                r.partition(),
                r.offset(),
                header(r, Tracing.TRACEPARENT));
    }

    public boolean is(Class<? extends Message> type) {
        return EventBus.typeOf(type).equals(this.type);
    }

    public <T extends Message> T parse(Parser<T> parser) {
        try {
            return parser.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(
                    "event " + id + " (" + type + ") has a malformed payload: " + e.getMessage(), e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
