package io.hivestream.operators.decode;

import io.hivestream.schemas.codec.CodecException;
import io.hivestream.schemas.internal.RawRecord;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Where a task's tenant comes from. {@link Mode#BODY} trusts the task's own field; the other modes
 * ignore it, so that whoever may write a task cannot claim another tenant's budget:
 *
 * <ul>
 *   <li>{@link Mode#TOPIC}: a record of {@code TASKS.TENANT} belongs to {@code TENANT}; a record of
 *       the tasks topic itself keeps its field (only the job, which writes the subtasks of plans
 *       there, may write to it).
 *   <li>{@link Mode#HEADER}: the record's header (set by a trusted producer, a gateway that
 *       authenticated the user) names the tenant; a record without it is refused.
 * </ul>
 */
public final class TenantSource implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where the tenant is read from. */
    public enum Mode {
        BODY,
        TOPIC,
        HEADER
    }

    private final Mode mode;
    private final String tasksTopic;
    private final String header;

    public TenantSource(Mode mode, String tasksTopic, String header) {
        this.mode = mode;
        this.tasksTopic = tasksTopic;
        this.header = header;
    }

    /** The task's own field. */
    public static TenantSource body() {
        return new TenantSource(Mode.BODY, "", "");
    }

    public Mode mode() {
        return mode;
    }

    /**
     * The tenant that the record's origin names, or null when the task's own field stands.
     *
     * @throws CodecException when the origin names no tenant
     */
    public String tenantOf(RawRecord raw) {
        switch (mode) {
            case TOPIC:
                if (raw.getTopic().equals(tasksTopic)) {
                    return null;
                }
                String prefix = tasksTopic + ".";
                if (raw.getTopic().startsWith(prefix)
                        && raw.getTopic().length() > prefix.length()) {
                    return raw.getTopic().substring(prefix.length());
                }
                throw new CodecException(
                        "topic "
                                + raw.getTopic()
                                + " is not "
                                + tasksTopic
                                + " or "
                                + prefix
                                + "TENANT, so it names no tenant");
            case HEADER:
                ByteBuffer value = raw.getHeaders() == null ? null : raw.getHeaders().get(header);
                if (value == null || !value.hasRemaining()) {
                    throw new CodecException(
                            "the record has no "
                                    + header
                                    + " header; with the tenant taken from a header, a trusted"
                                    + " producer must set it on every task");
                }
                return StandardCharsets.UTF_8.decode(value.duplicate()).toString();
            default:
                return null;
        }
    }
}
