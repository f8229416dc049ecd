package io.hivestream.operators.decode;

import io.hivestream.operators.route.Router;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.codec.CodecException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a tenant record: every limit that is set must make sense. Returns every problem at once,
 * each naming its field, so that a record can be fixed in one go.
 */
public final class TenantValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Returns {@code tenant} when it has no problem.
     *
     * @throws CodecException naming the tenant and every problem
     */
    public Tenant check(Tenant tenant) {
        List<String> problems = problems(tenant);
        if (!problems.isEmpty()) {
            throw new CodecException(
                    "invalid tenant " + tenant.getTenant() + ": " + String.join("; ", problems));
        }
        return tenant;
    }

    public List<String> problems(Tenant tenant) {
        List<String> problems = new ArrayList<>();
        String name = tenant.getTenant();
        if (name == null || name.isBlank()) {
            problems.add("tenant is blank");
        } else if (name.length() > TaskValidator.MAX_ID_CHARS) {
            problems.add("tenant is longer than " + TaskValidator.MAX_ID_CHARS + " characters");
        }
        nonNegative("budgetUsdPerDay", tenant.getBudgetUsdPerDay(), problems);
        nonNegative("budgetUsdPerMonth", tenant.getBudgetUsdPerMonth(), problems);
        nonNegative("maxUsdPerTask", tenant.getMaxUsdPerTask(), problems);
        if (tenant.getTokensPerDay() != null && tenant.getTokensPerDay() < 0) {
            problems.add("tokensPerDay is " + tenant.getTokensPerDay() + "; must be 0 or more");
        }
        Double rate = tenant.getTasksPerSecond();
        if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
            problems.add("tasksPerSecond is " + rate + "; must be a positive number");
        }
        if (tenant.getBurst() != null) {
            if (tenant.getBurst() < 1) {
                problems.add("burst is " + tenant.getBurst() + "; must be 1 or more");
            } else if (rate == null) {
                problems.add("burst is set without tasksPerSecond; set both or neither");
            }
        }
        if (tenant.getMaxInFlight() != null && tenant.getMaxInFlight() < 1) {
            problems.add("maxInFlight is " + tenant.getMaxInFlight() + "; must be 1 or more");
        }
        noBlank("capabilities", tenant.getCapabilities(), problems);
        noBlank("agents", tenant.getAgents(), problems);
        noBlank("tools", tenant.getTools(), problems);
        if (tenant.getPreference() != null
                && Router.parsePreference(tenant.getPreference()) == null) {
            problems.add(
                    "preference is '"
                            + tenant.getPreference()
                            + "'; must be quality, balanced, cost or a number in [0, 1]");
        }
        return problems;
    }

    private static void nonNegative(String field, Double value, List<String> problems) {
        if (value != null && !(value >= 0 && Double.isFinite(value))) {
            problems.add(field + " is " + value + "; must be 0 or more");
        }
    }

    private static void noBlank(String field, List<String> values, List<String> problems) {
        for (String value : values) {
            if (value.isBlank()) {
                problems.add(field + " contains a blank entry");
                return;
            }
        }
    }
}
