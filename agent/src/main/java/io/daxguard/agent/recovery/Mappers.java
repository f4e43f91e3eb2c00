package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.spi.Fork;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.Pidfd;
import io.daxguard.support.linux.Signals;
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
        return signal(recovery, proc, principal, signal, null);
    }

    /**
     * Sends {@code signal} to the processes whose mappings cover the file's damaged pages (its open data ranges,
     * those {@code which} picks, rounded out to whole pages), as the kernel's {@code collect_procs} picks the owners of a poisoned page; a process
     * mapping only other pages of the file is left alone. Audited.
     */
    public static String signalDamagedPages(FileRecovery recovery, Path proc, String principal, String signal,
                                            java.util.function.Predicate<DamagedFile.Hit> which) {
        List<ByteRange> pages = damagedPages(recovery.recorded(), which);
        if (pages.isEmpty()) {
            String result = "no open damaged data range: nobody to signal";
            recovery.ledger().audit(recovery.entry(principal, "signalMappers " + signal, recovery.recorded(), result));
            return result;
        }
        return signal(recovery, proc, principal, signal, pages);
    }

    /** The file's open data ranges ({@code which} of them) rounded out to whole pages, in file bytes. */
    static List<ByteRange> damagedPages(DamagedFile file, java.util.function.Predicate<DamagedFile.Hit> which) {
        return file.openHits().stream().filter(hit -> hit.owner().fork() == Fork.DATA).filter(which).map(hit -> {
            long start = Math.floorDiv(hit.owner().fileOffset(), PageRange.PAGE) * PageRange.PAGE;
            long end = PageRange.ceil(hit.owner().fileOffset() + hit.owner().length(), PageRange.PAGE);
            return new ByteRange(start, end - start);
        }).toList();
    }

    private static String signal(FileRecovery recovery, Path proc, String principal, String signal,
                                 List<ByteRange> pages) {
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
        for (MappingProcesses.Held held : MappingProcesses.held(proc, identity, pages)) {
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
        String what = pages == null ? "the file" : "the damaged page(s) " + pages.stream()
                .map(range -> "bytes " + range.offset() + "-" + (range.end() - 1)).reduce((a, b) -> a + ", " + b)
                .orElse("");
        String result = reached.isEmpty() && failed.isEmpty() ? "no process maps " + what
                : (pages == null ? "" : "mapping " + what + ": ") + "sent " + name + " (" + number + ") to " + reached.size() + " process(es)"
                + (reached.isEmpty() ? "" : ": " + String.join(", ", reached))
                + (failed.isEmpty() ? "" : "; not reached: " + String.join(", ", failed));
        recovery.ledger().audit(recovery.entry(principal, "signalMappers " + name, file, result));
        return result;
    }
}
