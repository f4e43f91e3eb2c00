package io.daxguard.agent.plugins;

import io.daxguard.agent.paths.BackgroundNames;
import io.daxguard.agent.paths.FilePaths;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One {@link AttachedFilesystem} per block device with a mounted filesystem, kept in step with the
 * topology: a new mount is attached, a vanished one is closed.
 *
 * <p>Thread safety: {@link #sync} runs on the router thread; readers (JMX) see an immutable map published
 * through a volatile field.
 */
public final class Filesystems implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Filesystems.class.getName());

    private final PluginHost plugins;
    /** As bytes, compared component by component with the mount points mountinfo gives. */
    private final java.util.Set<LinuxPath> watched;
    private volatile Map<DeviceNumber, AttachedFilesystem> attached = Map.of();
    /** The kernel's id of each attached mount ({@link FileStatus#mountIdOf}), to tell a re-made filesystem. */
    private volatile Map<DeviceNumber, Long> mountIds = Map.of();
    /**
     * Each member device of a held filesystem ({@link Holder#memberDevices}) to that filesystem, asked at every sync
     * (attach, and each change of the mount table: a device added or removed); a filesystem on one device has itself.
     */
    private volatile Map<DeviceNumber, AttachedFilesystem> byMember = Map.of();
    /** The member devices of each attached filesystem, by its mount's device, in the holder's order. */
    private volatile Map<DeviceNumber, List<DeviceNumber>> membersByMount = Map.of();
    /** The same, as the status shows them: {@code loop3 (7:3)}, named from the topology of the last sync. */
    private volatile Map<DeviceNumber, List<String>> memberLabels = Map.of();
    /** Walks ahead the trees of filesystems whose holders keep no names; owned here, closed with the rest. */
    private final BackgroundNames names = BackgroundNames.defaults();

    public Filesystems(PluginHost plugins) {
        this(plugins, List.of());
    }

    /**
     * @param watched directories whose filesystems to hold: a filesystem mounted at or below one of them;
     *                empty holds every block-device filesystem. An appliance names the trees it serves, so the
     *                agent does not index the root filesystem and the rest. A filesystem mounted whole in several
     *                places is held at the first watched one (its paths are then relative to that mount).
     */
    public Filesystems(PluginHost plugins, List<java.nio.file.Path> watched) {
        this.plugins = plugins;
        this.watched = watched.stream().map(LinuxPath::of).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** {@link #sync(Topology, Function)} with no disk identities known. */
    public List<AttachedFilesystem> sync(Topology topology) {
        return sync(topology, device -> "");
    }

    /**
     * Attaches the filesystems of {@code topology} that are not yet attached, detaches the ones that are
     * gone, keeps the rest.
     *
     * @param mediumOf the identity of the disk under a device ({@code DiskIdentity}), empty when unknown: each newly
     *                 attached filesystem keeps it, so its damage is told from a clone's on another disk
     * @return the filesystems attached by this call
     */
    public synchronized List<AttachedFilesystem> sync(Topology topology, Function<DeviceNumber, String> mediumOf) {
        Map<DeviceNumber, AttachedFilesystem> next = new LinkedHashMap<>();
        Map<DeviceNumber, Long> nextIds = new LinkedHashMap<>();
        List<AttachedFilesystem> added = new java.util.ArrayList<>();
        Map<DeviceNumber, AttachedFilesystem> before = attached;
        for (Mount primary : topology.primaryMounts()) {
            // Under a watched directory: a whole-filesystem mount if there is one, as the primary mount is chosen.
            Optional<Mount> chosen = watched.isEmpty() ? Optional.of(primary) : topology.mountsOf(primary.device())
                    .stream().filter(mount -> mount.showsWholeFilesystem() == primary.showsWholeFilesystem())
                    .filter(mount -> watched.stream().anyMatch(mount.mountPoint()::startsWith)).findFirst();
            if (chosen.isEmpty()) {
                continue;
            }
            Mount mount = chosen.get();
            AttachedFilesystem existing = before.get(mount.device());
            long mountId = mountIdOf(mount);
            nextIds.put(mount.device(), mountId);
            // mountinfo's id is reused after an unmount: a filesystem re-made and mounted at the same place can read
            // the same there, but never has the same 64-bit mount id.
            if (existing != null && existing.mount().equals(mount) && mountId == mountIds.getOrDefault(mount.device(), -1L)) {
                next.put(mount.device(), existing);
            } else {
                AttachedFilesystem fresh = attach(mount, mediumOf.apply(mount.device()));
                next.put(mount.device(), fresh);
                added.add(fresh);
            }
        }
        Map<DeviceNumber, AttachedFilesystem> nextMembers = new LinkedHashMap<>();
        Map<DeviceNumber, List<DeviceNumber>> nextMemberLists = new LinkedHashMap<>();
        Map<DeviceNumber, List<String>> nextLabels = new LinkedHashMap<>();
        for (AttachedFilesystem filesystem : next.values()) {
            List<DeviceNumber> members = membersOf(filesystem);
            nextMemberLists.put(filesystem.mount().device(), members);
            nextLabels.put(filesystem.mount().device(), members.stream().map(member -> topology.byNumber(member)
                    .map(device -> device.name() + " (" + member + ")").orElse(member.toString())).toList());
            members.forEach(member -> nextMembers.putIfAbsent(member, filesystem));
        }
        attached = Map.copyOf(next);
        mountIds = Map.copyOf(nextIds);
        byMember = Map.copyOf(nextMembers);
        membersByMount = Map.copyOf(nextMemberLists);
        memberLabels = Map.copyOf(nextLabels);
        for (Map.Entry<DeviceNumber, AttachedFilesystem> old : before.entrySet()) {
            if (next.get(old.getKey()) != old.getValue()) {
                closeQuietly(old.getValue());
            }
        }
        return added;
    }

    /**
     * Whether a held filesystem's member devices differ now from those learned at the last sync: a device added to
     * or removed from a btrfs changes no line of the mount table, so only its holder can tell.
     */
    public boolean membersChanged() {
        for (AttachedFilesystem filesystem : attached.values()) {
            if (!membersOf(filesystem).equals(membersByMount.get(filesystem.mount().device()))) {
                return true;
            }
        }
        return false;
    }

    /** The holder's member devices; the mount's own device when it is not held or cannot say. */
    private static List<DeviceNumber> membersOf(AttachedFilesystem filesystem) {
        if (filesystem.holder().isEmpty()) {
            return List.of(filesystem.mount().device());
        }
        try {
            List<DeviceNumber> members = filesystem.holder().get().memberDevices();
            return members == null || members.isEmpty() ? List.of(filesystem.mount().device()) : List.copyOf(members);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the member devices of " + filesystem.mount().mountPoint()
                    + " could not be read; routing by its mount's device only: " + e.getMessage());
            return List.of(filesystem.mount().device());
        }
    }

    /**
     * The filesystem holding {@code device}: mounted on it, else the filesystem over several devices it is a member
     * of (btrfs, whose mount names an anonymous device number).
     */
    public Optional<AttachedFilesystem> holding(DeviceNumber device) {
        AttachedFilesystem own = attached.get(device);
        return own != null ? Optional.of(own) : Optional.ofNullable(byMember.get(device));
    }

    /** The member devices of an attached filesystem, in its holder's order (its mount's device on one device). */
    public List<DeviceNumber> members(AttachedFilesystem filesystem) {
        return membersByMount.getOrDefault(filesystem.mount().device(), List.of(filesystem.mount().device()));
    }

    /** {@link #members}, each as {@code loop3 (7:3)} (its number alone when the topology had no such device). */
    public List<String> memberLabels(AttachedFilesystem filesystem) {
        return memberLabels.getOrDefault(filesystem.mount().device(), List.of(filesystem.mount().device().toString()));
    }

    /**
     * Each member device of a filesystem over several devices that is not its mount's device, to its mount: what the
     * topology routes by ({@code Topology.withMembers}).
     */
    public Map<DeviceNumber, Mount> memberMounts() {
        Map<DeviceNumber, Mount> members = new LinkedHashMap<>();
        byMember.forEach((member, filesystem) -> {
            if (!member.equals(filesystem.mount().device())) {
                members.put(member, filesystem.mount());
            }
        });
        return members;
    }

    private AttachedFilesystem attach(Mount mount, String medium) {
        Optional<FilesystemPlugin> plugin = plugins.forType(mount.fsType());
        if (plugin.isEmpty()) {
            return new AttachedFilesystem(mount, Optional.empty(),
                    Optional.of("no plugin for filesystem type " + mount.fsType()), new FilePaths(mount.mountPoint()),
                    medium);
        }
        try {
            Holder holder = plugins.attach(plugin.get(), mount);
            LOG.log(System.Logger.Level.INFO, "holding " + mount.fsType() + " on " + mount.source() + " at "
                    + mount.mountPoint() + " (" + holder.info().reverseMap() + ")");
            FilePaths paths = new FilePaths(mount.mountPoint(), holder.pathNames());
            if (holder.pathNames().isEmpty()) {
                // Its reverse map names inodes only: the names a failure will need are gathered before it comes.
                names.keep(paths);
            }
            return new AttachedFilesystem(mount, Optional.of(holder), Optional.empty(), paths, medium);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "not holding " + mount.mountPoint() + ": " + e.getMessage());
            return new AttachedFilesystem(mount, Optional.empty(), Optional.of(String.valueOf(e.getMessage())),
                    new FilePaths(mount.mountPoint()), medium);
        }
    }

    /**
     * Whether the filesystem attached on {@code device} is no longer the mount it was attached from (unmounted, or
     * unmounted and mounted again: perhaps another filesystem), even when mountinfo reads the same; one statx.
     */
    public boolean remounted(DeviceNumber device) {
        AttachedFilesystem filesystem = holding(device).orElse(null);
        return filesystem != null && mountIdOf(filesystem.mount())
                != mountIds.getOrDefault(filesystem.mount().device(), -1L);
    }

    /** {@link #remounted} for any attached filesystem. */
    public boolean anyRemounted() {
        return attached.keySet().stream().anyMatch(this::remounted);
    }

    /** The mount's id, or -1 when its mount point cannot be read (gone; a test's made-up mount table). */
    private static long mountIdOf(Mount mount) {
        try {
            return FileStatus.mountIdOf(mount.mountPoint());
        } catch (NativeCallException unreadable) {
            return -1;
        }
    }

    public Optional<AttachedFilesystem> on(DeviceNumber device) {
        return Optional.ofNullable(attached.get(device));
    }

    public List<AttachedFilesystem> all() {
        return List.copyOf(attached.values());
    }

    /** The attached filesystem mounted at {@code mountPoint}, if any. */
    public Optional<AttachedFilesystem> atMountPoint(String mountPoint) {
        return attached.values().stream()
                .filter(fs -> fs.mount().mountPoint().toString().equals(mountPoint))
                .findFirst();
    }

    private void closeQuietly(AttachedFilesystem filesystem) {
        names.stop(filesystem.paths());
        if (filesystem.holder().isEmpty()) {
            return;
        }
        try {
            filesystem.holder().get().close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the holder of " + filesystem.mount().mountPoint() + ": "
                    + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        Map<DeviceNumber, AttachedFilesystem> last = attached;
        attached = Map.of();
        byMember = Map.of();
        membersByMount = Map.of();
        memberLabels = Map.of();
        names.close();
        last.values().forEach(this::closeQuietly);
    }
}
