package io.daxguard.agent.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What daxguard does by itself about new damage: per-filesystem recovery policies. None, the default, is today's
 * manual behaviour: damage is recorded and shown, and every repair waits for an operator.
 *
 * @param policies the policies, each matched to filesystems by mount point ({@code watch}) or UUID; the most
 *                 specific match wins (a UUID, else the longest watched directory)
 */
public record RecoveryConfig(@NotNull List<@NotNull @Valid RecoveryPolicyConfig> policies) {
    public RecoveryConfig {
        policies = policies == null ? List.of() : policies.stream().toList();
    }

    static RecoveryConfig defaults() {
        return new RecoveryConfig(null);
    }

    /** The names given to more than one policy: each must be unique, the audit names a policy by it. */
    @JsonIgnore
    @Size(max = 0, message = "every policy needs a name of its own; these name more than one")
    public List<String> getDuplicateNames() {
        Set<String> seen = new HashSet<>();
        return policies.stream().filter(policy -> policy != null && policy.name() != null)
                .map(RecoveryPolicyConfig::name).filter(name -> !seen.add(name)).distinct().toList();
    }
}
