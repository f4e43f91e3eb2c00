package io.daxguard.agent.jmx;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Every ObjectName of daxguard, built here and only here, so the key order (type first, which is how
 * jconsole groups its tree) and the quoting of paths are the same everywhere.
 */
public final class ObjectNames {
    public static final String DOMAIN = "io.daxguard";

    private ObjectNames() {
    }

    public static ObjectName agent() {
        return name("type=Agent");
    }

    public static ObjectName device(String kernelName) {
        return name("type=Device,name=" + quoteIfNeeded(kernelName));
    }

    public static ObjectName filesystem(String mountPoint) {
        return name("type=Filesystem,name=" + ObjectName.quote(mountPoint));
    }

    /** A damaged file, by its filesystem's mount point and its path inside the filesystem. */
    public static ObjectName damagedFile(String mountPoint, String path) {
        return name("type=DamagedFile,filesystem=" + ObjectName.quote(mountPoint) + ",path=" + ObjectName.quote(path));
    }

    /** Every Filesystem MBean. */
    public static ObjectName allFilesystems() {
        return name("type=Filesystem,*");
    }

    /** Every Device MBean. */
    public static ObjectName allDevices() {
        return name("type=Device,*");
    }

    /** Every damaged file MBean of one filesystem. */
    public static ObjectName damagedFilesOf(String mountPoint) {
        return name("type=DamagedFile,filesystem=" + ObjectName.quote(mountPoint) + ",*");
    }

    /** Kernel names and types are plain words and stay readable unquoted; anything else is quoted. */
    private static String quoteIfNeeded(String value) {
        return value.matches("[A-Za-z0-9._+-]+") ? value : ObjectName.quote(value);
    }

    private static ObjectName name(String keys) {
        try {
            return new ObjectName(DOMAIN + ":" + keys);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("bad ObjectName keys " + keys, e);
        }
    }
}
