package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The claiming agent renewed its lease (heartbeat). */
@Revision("1")
public record TaskLeaseRenewedEvent(String taskId, String orgId, String agentId, Instant leaseExpiresAt,
                                    Instant renewedAt) {
}
