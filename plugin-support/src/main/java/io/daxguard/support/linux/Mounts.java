package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.nio.file.Path;

/**
 * {@code mount(2)} for the kernel's pseudo filesystems daxguard reads (tracefs), no flags and no options: the JDK
 * has no mount call, and running {@code mount(8)} would make a read of a kernel interface depend on a program on the
 * PATH.
 */
public final class Mounts {
    private Mounts() {
    }

    /**
     * Mounts a pseudo filesystem of {@code type} (for example {@code tracefs}) on {@code target}.
     *
     * @throws NativeCallException naming the call and the target (EPERM without CAP_SYS_ADMIN, ENODEV when the
     *                             kernel has no such filesystem, EBUSY when it is mounted there already)
     */
    public static void mountPseudo(String type, Path target) throws NativeCallException {
        try {
            LibC.mount(type, target.toString(), type, new NativeLong(0), null);
        } catch (LastErrorException e) {
            throw NativeCallException.from("mount(" + type + ")", target.toString(), e);
        }
    }
}
