package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.linux.FileStatus;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.Signals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds and signals the processes mapping a damaged file, as the kernel signals mappers of poisoned DAX pages. */
public final class Mappers {
    private Mappers() {
    }

    public static List<MappingProcesses.Mapper> of(FileRecovery recovery, Path proc) {
        LinuxPath mount = recovery.mount();
        try {
            return MappingProcesses.of(proc, FileStatus.ofPath(mount).device(), recovery.key().inode());
        } catch (NativeCallException e) {
            throw new IllegalStateException("cannot find the device of " + mount + ": " + e.getMessage());
        }
    }

    /** Sends {@code signal} (SIGBUS when blank) to every mapper; audited; returns who got it. */
    public static String signal(FileRecovery recovery, Path proc, String principal, String signal) {
        String name = signal == null || signal.isBlank() ? "SIGBUS" : signal.strip();
        int number = Signals.number(name);
        DamagedFile file = recovery.file();
        List<String> reached = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (MappingProcesses.Mapper mapper : of(recovery, proc)) {
            if (mapper.pid() == ProcessHandle.current().pid()) {
                failed.add(mapper.line() + ": daxguard itself, not signalled");
                continue;
            }
            try {
                Signals.send(mapper.pid(), number);
                reached.add(mapper.line());
            } catch (NativeCallException e) {
                failed.add(mapper.line() + ": " + NativeCallException.errnoName(e.errno()));
            }
        }
        String result = reached.isEmpty() && failed.isEmpty() ? "no process maps the file"
                : "sent " + name + " (" + number + ") to " + reached.size() + " process(es)"
                + (reached.isEmpty() ? "" : ": " + String.join(", ", reached))
                + (failed.isEmpty() ? "" : "; not reached: " + String.join(", ", failed));
        recovery.ledger().audit(recovery.entry(principal, "signalMappers " + name, file, result));
        return result;
    }
}
