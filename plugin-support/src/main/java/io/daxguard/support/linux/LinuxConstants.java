package io.daxguard.support.linux;

import java.util.Map;
import java.util.Optional;

/**
 * The Linux constants whose values depend on the processor architecture, one table per architecture daxguard
 * runs on; the table of the running machine is chosen once, when this class loads, from {@code os.arch}.
 *
 * <p>Only the {@code open(2)} flags below differ between the supported architectures: x86-64 takes the defaults
 * of {@code include/uapi/asm-generic/fcntl.h}, arm64 overrides them in {@code arch/arm64/include/uapi/asm/fcntl.h}
 * (the AArch32 values). A wrong table is never silent: x86-64's {@code O_DIRECT} is arm64's {@code O_DIRECTORY},
 * and x86-64's {@code O_NOFOLLOW} is arm64's {@code O_LARGEFILE}, so a symlink would be followed.
 *
 * <p>Every other constant of this package and of the plugins (errno values, signal numbers, {@code AT_*},
 * {@code POLL*}, {@code FAN_*}, ioctl numbers, which both encode with {@code asm-generic/ioctl.h}) is the same on
 * both and stays beside its wrapper. They are not the same on every Linux architecture (powerpc encodes ioctls
 * and {@code O_*} differently; mips, sparc and alpha have their own errno, signal and {@code POLL*} numbers): a
 * table for a new architecture is added after {@code LinuxConstantsTest} and {@code KernelLayoutTest}, which
 * check every constant against the C headers of the machine they run on, pass there.
 *
 * @param architecture {@code os.arch} of the architecture
 * @param oDirect      {@code O_DIRECT}
 * @param oDirectory   {@code O_DIRECTORY}
 * @param oNofollow    {@code O_NOFOLLOW}
 */
public record LinuxConstants(String architecture, int oDirect, int oDirectory, int oNofollow) {
    /** x86-64: the defaults of {@code include/uapi/asm-generic/fcntl.h} (octal 040000, 0200000, 0400000). */
    static final LinuxConstants X86_64 = new LinuxConstants("amd64", 0x4000, 0x10000, 0x20000);
    /** arm64: {@code arch/arm64/include/uapi/asm/fcntl.h} (octal 0200000, 040000, 0100000). */
    static final LinuxConstants ARM64 = new LinuxConstants("aarch64", 0x10000, 0x4000, 0x8000);

    private static final Map<String, LinuxConstants> TABLES = Map.of(X86_64.architecture, X86_64,
            ARM64.architecture, ARM64);
    private static final String RUNNING_ARCHITECTURE = System.getProperty("os.arch");
    /** Empty on an architecture with no table: {@link #running()} then refuses, every time it is asked. */
    private static final Optional<LinuxConstants> RUNNING = Optional.ofNullable(TABLES.get(RUNNING_ARCHITECTURE));

    /**
     * The table of the running machine.
     *
     * @throws UnsupportedOperationException naming the architecture, when daxguard has no table for it
     */
    public static LinuxConstants running() {
        return RUNNING.orElseThrow(() -> unsupported(RUNNING_ARCHITECTURE));
    }

    /**
     * The table of an architecture, as {@code os.arch} names it ({@code amd64}, {@code aarch64}).
     *
     * @throws UnsupportedOperationException naming the architecture, when daxguard has no table for it
     */
    public static LinuxConstants of(String architecture) {
        LinuxConstants table = TABLES.get(architecture);
        if (table == null) {
            throw unsupported(architecture);
        }
        return table;
    }

    private static UnsupportedOperationException unsupported(String architecture) {
        return new UnsupportedOperationException("daxguard does not run on the " + architecture
                + " architecture (os.arch): it has no table of its Linux constants (O_DIRECT, O_DIRECTORY, "
                + "O_NOFOLLOW differ between architectures), only for amd64 (x86-64) and aarch64 (arm64)");
    }
}
