package io.hivestream.jobs;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs the job's principal needs, and no more: read the tasks, agents and metrics topics;
 * write the results, metrics, dead letters and (subtasks of plans) tasks topics; describe all five;
 * read its three consumer groups; write and describe the transactional ids under its prefix. No
 * cluster-wide permission: idempotent producers need only Write on their topics.
 */
public final class JobAcls {
    private JobAcls() {}

    /** The ACLs for {@code principal} ("User:NAME") and the topics and groups of {@code conf}. */
    public static List<AclBinding> of(String principal, Configuration conf) {
        List<AclBinding> acls = new ArrayList<>();
        topic(
                acls,
                principal,
                conf.get(HivestreamOptions.TASKS_TOPIC),
                AclOperation.READ,
                AclOperation.WRITE,
                AclOperation.DESCRIBE);
        topic(
                acls,
                principal,
                conf.get(HivestreamOptions.AGENTS_TOPIC),
                AclOperation.READ,
                AclOperation.DESCRIBE);
        topic(
                acls,
                principal,
                conf.get(HivestreamOptions.METRICS_TOPIC),
                AclOperation.READ,
                AclOperation.WRITE,
                AclOperation.DESCRIBE);
        topic(
                acls,
                principal,
                conf.get(HivestreamOptions.RESULTS_TOPIC),
                AclOperation.WRITE,
                AclOperation.DESCRIBE);
        topic(
                acls,
                principal,
                conf.get(HivestreamOptions.DLQ_TOPIC),
                AclOperation.WRITE,
                AclOperation.DESCRIBE);
        String group = conf.get(HivestreamOptions.GROUP_ID);
        for (String g : List.of(group, group + "-agents", group + "-metrics")) {
            acls.add(
                    allow(
                            principal,
                            ResourceType.GROUP,
                            g,
                            PatternType.LITERAL,
                            AclOperation.READ));
        }
        String prefix = conf.get(HivestreamOptions.TRANSACTIONAL_ID_PREFIX) + "-";
        for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
            acls.add(
                    allow(
                            principal,
                            ResourceType.TRANSACTIONAL_ID,
                            prefix,
                            PatternType.PREFIXED,
                            op));
        }
        return acls;
    }

    private static void topic(
            List<AclBinding> acls, String principal, String topic, AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(allow(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, op));
        }
    }

    private static AclBinding allow(
            String principal,
            ResourceType type,
            String name,
            PatternType pattern,
            AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
}
