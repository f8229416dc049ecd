package io.hivestream.jobs;

import io.hivestream.operators.decode.TenantSource;
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
 * The job's Kafka resources and the ACLs its principal needs on them, and no more: read the tasks,
 * agents and metrics topics; write the results, metrics, dead letters and (subtasks of plans) tasks
 * topics; describe all five; read its three consumer groups; write and describe the transactional
 * ids under its prefix. With tenants enforced, read and describe the tenants topic and read its
 * group; with tenants taken from the topic, read and describe the topics {@code TASKS.TENANT}
 * (prefixed); with routing examples on, write and describe their topic; with live models, read and
 * describe the models topic and read its group. No cluster-wide permission: idempotent producers
 * need only Write on their topics. The job's start-up access check and {@code hivestream acls} both
 * use {@link #resources}.
 */
public final class JobAcls {
    private JobAcls() {}

    /** One resource of the job and what it does with it. */
    public record Resource(
            ResourceType type, String name, PatternType pattern, List<AclOperation> operations) {
        /** A topic or group named exactly, which the access check can describe. */
        public boolean literal() {
            return pattern == PatternType.LITERAL;
        }
    }

    /** Every Kafka resource the job of {@code conf} uses. */
    public static List<Resource> resources(Configuration conf) {
        List<Resource> resources = new ArrayList<>();
        String tasks = conf.get(HivestreamOptions.TASKS_TOPIC);
        topic(resources, tasks, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        topic(
                resources,
                conf.get(HivestreamOptions.AGENTS_TOPIC),
                AclOperation.READ,
                AclOperation.DESCRIBE);
        topic(
                resources,
                conf.get(HivestreamOptions.METRICS_TOPIC),
                AclOperation.READ,
                AclOperation.WRITE,
                AclOperation.DESCRIBE);
        topic(
                resources,
                conf.get(HivestreamOptions.RESULTS_TOPIC),
                AclOperation.WRITE,
                AclOperation.DESCRIBE);
        topic(
                resources,
                conf.get(HivestreamOptions.DLQ_TOPIC),
                AclOperation.WRITE,
                AclOperation.DESCRIBE);
        String calls = conf.get(HivestreamOptions.CALLS_TOPIC);
        if (!calls.isBlank()) {
            topic(resources, calls, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        if (conf.get(HivestreamOptions.ROUTE_EXAMPLES)) {
            topic(
                    resources,
                    conf.get(HivestreamOptions.EXAMPLES_TOPIC),
                    AclOperation.WRITE,
                    AclOperation.DESCRIBE);
        }
        boolean live = conf.get(HivestreamOptions.LIVE_MODELS);
        if (live) {
            topic(
                    resources,
                    conf.get(HivestreamOptions.MODELS_TOPIC),
                    AclOperation.READ,
                    AclOperation.DESCRIBE);
        }
        boolean enforce = conf.get(HivestreamOptions.TENANTS_ENFORCE);
        if (enforce) {
            topic(
                    resources,
                    conf.get(HivestreamOptions.TENANTS_TOPIC),
                    AclOperation.READ,
                    AclOperation.DESCRIBE);
        }
        if (conf.get(HivestreamOptions.TENANT_SOURCE) == TenantSource.Mode.TOPIC) {
            // The tasks source subscribes to TASKS and TASKS.TENANT for every tenant.
            resources.add(
                    new Resource(
                            ResourceType.TOPIC,
                            tasks + ".",
                            PatternType.PREFIXED,
                            List.of(AclOperation.READ, AclOperation.DESCRIBE)));
        }
        String group = conf.get(HivestreamOptions.GROUP_ID);
        List<String> groups =
                new ArrayList<>(List.of(group, group + "-agents", group + "-metrics"));
        if (enforce) {
            groups.add(group + "-tenants");
        }
        if (conf.get(HivestreamOptions.CACHE_SEMANTIC)) {
            groups.add(group + "-cache");
        }
        if (live) {
            groups.add(group + "-models");
        }
        for (String g : groups) {
            resources.add(
                    new Resource(
                            ResourceType.GROUP,
                            g,
                            PatternType.LITERAL,
                            List.of(AclOperation.READ)));
        }
        resources.add(
                new Resource(
                        ResourceType.TRANSACTIONAL_ID,
                        conf.get(HivestreamOptions.TRANSACTIONAL_ID_PREFIX) + "-",
                        PatternType.PREFIXED,
                        List.of(AclOperation.WRITE, AclOperation.DESCRIBE)));
        return resources;
    }

    /** The names of the literal resources of {@code type}: what the access check describes. */
    public static List<String> literalNames(List<Resource> resources, ResourceType type) {
        return resources.stream()
                .filter(r -> r.type() == type && r.literal())
                .map(Resource::name)
                .toList();
    }

    /** The ACLs for {@code principal} ("User:NAME") on the resources of {@code conf}. */
    public static List<AclBinding> of(String principal, Configuration conf) {
        List<AclBinding> acls = new ArrayList<>();
        for (Resource resource : resources(conf)) {
            for (AclOperation operation : resource.operations()) {
                acls.add(
                        new AclBinding(
                                new ResourcePattern(
                                        resource.type(), resource.name(), resource.pattern()),
                                new AccessControlEntry(
                                        principal, "*", operation, AclPermissionType.ALLOW)));
            }
        }
        return acls;
    }

    private static void topic(List<Resource> resources, String topic, AclOperation... operations) {
        resources.add(
                new Resource(ResourceType.TOPIC, topic, PatternType.LITERAL, List.of(operations)));
    }
}
