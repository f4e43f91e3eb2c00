package io.daxguard.agent.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * One hook: a program the agent runs for each event it announces (of the types listed), with the event's fields in
 * its environment ({@code DAXGUARD_EVENT}, {@code DAXGUARD_DEVICE}, ...) and the event as one JSON object on its
 * standard input. The program must be a regular file owned by root or the agent's user that nobody else may write,
 * in a directory of the same kind; that is checked at start (the agent refuses to start) and before every run (the
 * run is refused and audited).
 *
 * @param program         absolute path of the program
 * @param events          the event types (JMX notification types, {@code io.daxguard.file.damaged}, ...) it runs
 *                        for; empty, the default: every event
 * @param timeoutSeconds  a run still going after this long is killed with every process it started
 */
public record HookConfig(@NotNull @Pattern(regexp = "/.*", message = "must be an absolute path") String program,
                         @NotNull List<@NotNull @KnownEventType String> events,
                         @Min(1) @Max(86_400) Integer timeoutSeconds) {
    public HookConfig {
        events = events == null ? List.of() : events.stream().toList();
        timeoutSeconds = Objects.requireNonNullElse(timeoutSeconds, 30);
    }
}
