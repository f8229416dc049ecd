package io.hivestream.operators.lineage;

import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.codec.RecordDefaults;
import java.util.HashMap;
import java.util.Map;

/**
 * Carries the hash of a task's bytes as read from the decode stage, where the bytes are, to the
 * result, where they are not: the decode stage puts it in the task's metadata under {@link #KEY}
 * (replacing whatever a producer put there), and the stages that make results start their lineage
 * with it.
 */
public final class TaskHash {
    /**
     * New lineage records with their schema's defaults, for this class and {@link LineageSigner}.
     */
    static final RecordDefaults<Lineage> LINEAGES = RecordDefaults.of(Lineage::new);

    /** Metadata key of the hex SHA-256 of the task's record value. */
    public static final String KEY = "hivestream.lineage.task-sha256";

    private TaskHash() {}

    /** The task with the hash of {@code bytes} in its metadata, or with none when not hashing. */
    public static Task stamp(Task task, byte[] bytes, boolean hash) {
        if (!hash && !task.getMetadata().containsKey(KEY)) {
            return task;
        }
        Map<String, String> metadata = new HashMap<>(task.getMetadata());
        metadata.remove(KEY);
        if (hash) {
            metadata.put(KEY, Canonical.hex(Canonical.sha256(bytes)));
        }
        task.setMetadata(metadata);
        return task;
    }

    /** The start of a result's lineage: the task's hash; null when the task carries none. */
    public static Lineage lineage(Task task) {
        String hash = task.getMetadata().get(KEY);
        if (hash == null) {
            return null;
        }
        Lineage lineage = LINEAGES.make();
        lineage.setTaskSha256(hash);
        return lineage;
    }
}
