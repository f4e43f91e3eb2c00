package io.daxguard.btrfs;

import io.daxguard.spi.Mount;

/**
 * What an administrator does about damaged btrfs metadata, as whole sentences naming the mount point and the
 * damaged device. btrfs repairs a block it keeps another good copy of (DUP, raid1...) when it reads it, and a scrub
 * rewrites every bad copy; a block with no other copy is lost, and {@code btrfs check} tells what that costs.
 */
final class RepairHints {
    private final String mountPoint;
    private final String device;

    /**
     * @param device the damaged member device's path ({@code /dev/loop3}), for the commands that take a device
     */
    RepairHints(Mount mount, String device) {
        this.mountPoint = mount.mountPoint().display();
        this.device = device;
    }

    String treeBlock(Chunk chunk, long root) {
        String what = "a block of " + Trees.description(root) + " on " + device;
        if (chunk.profile().copiesIn(chunk) > 1) {
            return "btrfs keeps " + chunk.profile().copiesIn(chunk) + " copies of this metadata ("
                    + chunk.profile().label() + "): run btrfs scrub start -B " + mountPoint + " to rewrite " + what
                    + " from a good copy, then btrfs device stats " + mountPoint + " to see the errors it found.";
        }
        return "btrfs keeps no other copy of this metadata (" + chunk.profile().label() + "): copy off what you can,"
                + " then unmount " + mountPoint + " and run btrfs check --readonly " + device + " to see what "
                + what + " costs; run btrfs check --repair " + device + " only when that output or the btrfs"
                + " developers advise it.";
    }

    String superblock(long offset) {
        return "btrfs keeps copies of the superblock at 64 KiB, 64 MiB and 256 GiB of each device and rewrites them all"
                + " at each commit: run btrfs filesystem sync " + mountPoint + " to rewrite the one at " + offset
                + " of " + device + "; if " + device + " then still reads bad there, replace it (btrfs replace start"
                + " " + device + " <new device> " + mountPoint + ").";
    }
}
