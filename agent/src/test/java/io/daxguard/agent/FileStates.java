package io.daxguard.agent;

import io.daxguard.agent.jmx.ObjectNames;
import java.util.Arrays;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * A damaged file's state as a JMX client reads it: its DamagedFile MBean's {@code State} while it has open damage;
 * once the damage is closed the MBean is gone, and the file's state is the one its Filesystem MBean lists.
 */
public final class FileStates {
    private FileStates() {
    }

    /** The state of the file {@code damagedFile} names (its MBean's name while it had open damage). */
    public static String of(MBeanServerConnection remote, ObjectName damagedFile) throws Exception {
        if (remote.isRegistered(damagedFile)) {
            return (String) remote.getAttribute(damagedFile, "State");
        }
        String filesystem = ObjectName.unquote(damagedFile.getKeyProperty("filesystem"));
        String path = ObjectName.unquote(damagedFile.getKeyProperty("path"));
        CompositeData[] files = (CompositeData[]) remote.invoke(ObjectNames.filesystem(filesystem), "listDamagedFiles",
                new Object[] {0, 1000}, new String[] {"int", "int"});
        return Arrays.stream(files).filter(file -> file.get("path").equals(path))
                .reduce((first, second) -> second) // the newest file of that name (one replaced at the path is older)
                .map(file -> (String) file.get("state"))
                .orElseThrow(() -> new AssertionError("no file " + path + " listed on " + filesystem));
    }
}
