package io.hivestream.schemas.codec;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tenant;

/** The codec of every record that crosses a topic. */
public final class Codecs {
    public static final RecordCodec<Task> TASK = RecordCodec.of(Task.class);
    public static final RecordCodec<TaskResult> TASK_RESULT = RecordCodec.of(TaskResult.class);
    public static final RecordCodec<AgentEvent> AGENT_EVENT = RecordCodec.of(AgentEvent.class);
    public static final RecordCodec<Metric> METRIC = RecordCodec.of(Metric.class);
    public static final RecordCodec<DeadLetter> DEAD_LETTER = RecordCodec.of(DeadLetter.class);
    public static final RecordCodec<Tenant> TENANT = RecordCodec.of(Tenant.class);
    public static final RecordCodec<RoutingExample> ROUTING_EXAMPLE =
            RecordCodec.of(RoutingExample.class);
    public static final RecordCodec<RouterModel> ROUTER_MODEL = RecordCodec.of(RouterModel.class);

    private Codecs() {}
}
