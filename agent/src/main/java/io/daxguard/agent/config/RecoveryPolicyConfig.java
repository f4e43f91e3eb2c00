package io.daxguard.agent.config;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * One recovery policy: which filesystems it applies to and what is done, in order, when damage is found there.
 *
 * @param name             names the policy in the audit ({@code policy:<name>}), the MBean and {@code status}
 * @param watch            a mount point: filesystems mounted there or below; or
 * @param uuid             one filesystem by UUID (exactly one of watch and uuid)
 * @param onFileDamage     steps for damaged file data, in order: signalMappers, restore, rewrite, quarantine
 * @param signal           what signalMappers sends (SIGBUS by default)
 * @param mode             early: mappers are signalled at detection; late: only when the kernel reported the page
 *                         poisoned and touched (a memory failure)
 * @param disposable       directories, relative to the mount point, whose files may be rewritten with zeros (caches,
 *                         scratch): {@code rewrite} applies only to files under one
 * @param onMetadataDamage steps for damaged metadata: freeze, shutdown (none by default)
 * @param onFreeDamage     steps for damaged free space: clearPoison (none by default)
 */
public record RecoveryPolicyConfig(
        @NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}", message = "must be 1 to 64 letters, digits,"
                + " '.', '_' or '-', starting with a letter or digit (it is the audit's principal, policy:<name>)")
        String name,
        @Pattern(regexp = "/.*", message = "must be an absolute path") String watch,
        @Pattern(regexp = "[0-9A-Fa-f-]+", message = "must be a filesystem UUID") String uuid,
        @NotNull List<@NotNull @Pattern(regexp = "signalMappers|restore|rewrite|quarantine",
                message = "must be one of signalMappers, restore, rewrite, quarantine") String> onFileDamage,
        @NotNull @Pattern(regexp = "(?i)(SIG)?(BUS|TERM|KILL|HUP|INT|USR1|USR2)|[1-9]|[12][0-9]|3[01]",
                message = "must be a signal daxguard sends: SIGBUS, SIGTERM, SIGKILL, SIGHUP, SIGINT, SIGUSR1, "
                        + "SIGUSR2 or a number 1..31") String signal,
        @NotNull @Pattern(regexp = "early|late", message = "must be early or late") String mode,
        @NotNull List<@NotNull @Pattern(regexp = "(?!/*\\.\\.?(/|$))(?!.*/\\.\\.?(/|$))/*[^/].*",
                message = "must be a directory relative to the mount point, without . or .. components")
                String> disposable,
        @NotNull List<@NotNull @Pattern(regexp = "freeze|shutdown", message = "must be freeze or shutdown")
                String> onMetadataDamage,
        @NotNull List<@NotNull @Pattern(regexp = "clearPoison", message = "must be clearPoison")
                String> onFreeDamage) {
    public RecoveryPolicyConfig {
        onFileDamage = listOrEmpty(onFileDamage);
        signal = Objects.requireNonNullElse(signal, "SIGBUS");
        mode = Objects.requireNonNullElse(mode, "early");
        disposable = listOrEmpty(disposable);
        onMetadataDamage = listOrEmpty(onMetadataDamage);
        onFreeDamage = listOrEmpty(onFreeDamage);
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list.stream().toList();
    }

    @AssertTrue(message = "needs exactly one of watch (a mount point) and uuid (a filesystem)")
    public boolean isMatchedOneWay() {
        return (watch == null) != (uuid == null);
    }
}
