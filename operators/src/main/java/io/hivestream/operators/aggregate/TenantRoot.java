package io.hivestream.operators.aggregate;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The aggregate stage's key when results are signed: a task's tenant and the root of its plan (or
 * the task itself). Its hash code is the tenant's, so Flink puts it in the tenant's key group: the
 * aggregate stage's output is then partitioned exactly as the signing stage, keyed by tenant,
 * needs, and the two run in one task without an exchange. A Flink POJO: public fields and a public
 * constructor without arguments.
 */
public final class TenantRoot {
    /** Flink's type of the key, for keyBy and keyed state. */
    public static final TypeInformation<TenantRoot> TYPE = TypeInformation.of(TenantRoot.class);

    public String tenant;
    public String root;

    public TenantRoot() {}

    public TenantRoot(String tenant, String root) {
        this.tenant = tenant;
        this.root = root;
    }

    /** The key of a result: its tenant and {@link AggregateFunction#rootOf}. */
    public static TenantRoot of(TaskResult result) {
        return new TenantRoot(result.getTenant(), AggregateFunction.rootOf(result));
    }

    /** The key of a plan's root task: its tenant and its own id. */
    public static TenantRoot of(AnalyzedTask root) {
        return new TenantRoot(root.getTask().getTenant(), root.getTask().getTaskId());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TenantRoot other
                && Objects.equals(tenant, other.tenant)
                && Objects.equals(root, other.root);
    }

    /** The tenant's hash code: a key lands in its tenant's key group, whatever its root. */
    @Override
    public int hashCode() {
        return Objects.hashCode(tenant);
    }

    @Override
    public String toString() {
        return tenant + "/" + root;
    }
}
