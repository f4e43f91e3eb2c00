package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.Pidfd;
import io.daxguard.spi.linux.Signals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds and signals the processes mapping a damaged file, as the kernel signals mappers of poisoned DAX pages. */
public final class Mappers {
    private Mappers() {
    }

    /** The processes mapping the file: its device (of the recorded filesystem, by UUID), inode and generation. */
    public static List<MappingProcesses.Mapper> of(FileRecovery recovery, Path proc) {
        return MappingProcesses.of(proc, identity(recovery));
    }

    private static MappingProcesses.FileIdentity identity(FileRecovery recovery) {
        try (FilesystemRoot root = recovery.root()) {
            return new MappingProcesses.FileIdentity(root.device(), recovery.key().inode(),
                    recovery.key().generation());
        }
    }

    /** Sends {@code signal} (SIGBUS when blank) to every mapper, through its process descriptor; audited. */
    public static String signal(FileRecovery recovery, Path proc, String principal, String signal) {
        String name = signal == null || signal.isBlank() ? "SIGBUS" : signal.strip();
        int number = Signals.number(name);
        DamagedFile file = recovery.file();
        List<String> reached = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        MappingProcesses.FileIdentity identity;
        try {
            identity = identity(recovery);
        } catch (IllegalStateException e) {
            recovery.ledger().audit(recovery.entry(principal, "signalMappers " + name, file, e.getMessage()));
            throw e;
        }
        for (MappingProcesses.Held held : MappingProcesses.held(proc, identity)) {
            try (held) {
                MappingProcesses.Mapper mapper = held.mapper();
                if (mapper.pid() == ProcessHandle.current().pid()) {
                    failed.add(mapper.line() + ": daxguard itself, not signalled");
                    continue;
                }
                try {
                    Pidfd.signal(held.process(), number);
                    reached.add(mapper.line());
                } catch (NativeCallException e) {
                    failed.add(mapper.line() + ": " + NativeCallException.errnoName(e.errno()));
                }
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
