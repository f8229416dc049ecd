package io.hivestream.operators.decode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.operators.lineage.TaskHash;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.codec.CodecException;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.RecordCodec;
import io.hivestream.schemas.internal.RawRecord;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns raw Kafka records into validated tasks and agent events. A task without an id gets one
 * derived from where it was read, so a replay of the same record yields the same id.
 */
public final class RawDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TaskValidator validator;
    private final TenantSource tenantSource;
    private final TenantValidator tenantValidator = new TenantValidator();
    private final boolean hashTasks;

    public RawDecoder(TaskValidator validator) {
        this(validator, TenantSource.body(), false);
    }

    /** With the tenant of every task taken from where {@code tenantSource} says. */
    public RawDecoder(TaskValidator validator, TenantSource tenantSource) {
        this(validator, tenantSource, false);
    }

    /**
     * @param hashTasks put the SHA-256 of each task's bytes in its metadata, for the lineage of
     *     signed results ({@link TaskHash})
     */
    public RawDecoder(TaskValidator validator, boolean hashTasks) {
        this(validator, TenantSource.body(), hashTasks);
    }

    /**
     * @param tenantSource where the tenant of every task is taken from
     * @param hashTasks put the SHA-256 of each task's bytes in its metadata, for the lineage of
     *     signed results ({@link TaskHash})
     */
    public RawDecoder(TaskValidator validator, TenantSource tenantSource, boolean hashTasks) {
        this.validator = validator;
        this.tenantSource = tenantSource;
        this.hashTasks = hashTasks;
    }

    /** The id given to a task that has none: stable across replays of the same record. */
    public static String derivedTaskId(RawRecord raw) {
        return raw.getTopic() + "-" + raw.getPartition() + "-" + raw.getOffset();
    }

    public Task decodeTask(RawRecord raw) {
        byte[] bytes = bytes(raw.getValue());
        Task task;
        if (RecordCodec.isSingleObjectEncoded(bytes)) {
            task = Codecs.TASK.decodeAvro(bytes);
            if (task.getTaskId().isEmpty()) {
                task.setTaskId(derivedTaskId(raw));
            }
        } else {
            if (bytes.length == 0) {
                throw new CodecException("empty record: expected Avro single-object bytes or JSON");
            }
            ObjectNode json = RecordCodec.parseJson(bytes);
            if (!json.hasNonNull("taskId") || json.get("taskId").asText().isEmpty()) {
                json.put("taskId", derivedTaskId(raw));
            }
            task = Codecs.TASK.fromJson(json);
        }
        String tenant = tenantSource.tenantOf(raw);
        if (tenant != null) {
            task.setTenant(tenant);
        }
        List<String> problems = validator.problems(task);
        if (!problems.isEmpty()) {
            throw new CodecException(
                    "invalid task " + task.getTaskId() + ": " + String.join("; ", problems));
        }
        return TaskHash.stamp(task, bytes, hashTasks);
    }

    public AgentEvent decodeAgent(RawRecord raw) {
        AgentEvent agent = Codecs.AGENT_EVENT.decode(bytes(raw.getValue()));
        if (agent.getAgentId().isBlank()) {
            throw new CodecException("invalid agent: agentId is blank");
        }
        if (agent.getMaxConcurrency() < 1) {
            throw new CodecException(
                    "invalid agent " + agent.getAgentId() + ": maxConcurrency must be at least 1");
        }
        if (agent.getTimeoutMs() < 1) {
            throw new CodecException(
                    "invalid agent " + agent.getAgentId() + ": timeoutMs must be positive");
        }
        if (agent.getCostPer1kInputTokens() < 0 || agent.getCostPer1kOutputTokens() < 0) {
            throw new CodecException(
                    "invalid agent " + agent.getAgentId() + ": prices must not be negative");
        }
        atLeastOne(agent, "rateLimitRpm", agent.getRateLimitRpm());
        atLeastOne(agent, "rateLimitTpm", agent.getRateLimitTpm());
        if (agent.getHeartbeatIntervalMs() != null && agent.getHeartbeatIntervalMs() < 1) {
            throw new CodecException(
                    "invalid agent "
                            + agent.getAgentId()
                            + ": heartbeatIntervalMs must be positive");
        }
        return agent;
    }

    /** A limit left out means no limit; one that is set must be 1 or more. */
    private static void atLeastOne(AgentEvent agent, String field, Integer limit) {
        if (limit != null && limit < 1) {
            throw new CodecException(
                    "invalid agent "
                            + agent.getAgentId()
                            + ": "
                            + field
                            + " is "
                            + limit
                            + "; must be 1 or more (leave it out for no limit)");
        }
    }

    /** A record of the tenants topic, refused with every problem when a limit makes no sense. */
    public Tenant decodeTenant(RawRecord raw) {
        return tenantValidator.check(Codecs.TENANT.decode(bytes(raw.getValue())));
    }

    /** A record of the metrics topic, read back as feedback (agents' reputations). */
    public Metric decodeMetric(RawRecord raw) {
        return Codecs.METRIC.decode(bytes(raw.getValue()));
    }

    /** The bytes of a record's key or value, without moving the buffer; null: none. */
    public static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
