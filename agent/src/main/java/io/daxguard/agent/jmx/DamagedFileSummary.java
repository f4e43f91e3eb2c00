package io.daxguard.agent.jmx;

/**
 * A damaged file in a listing.
 *
 * @param path          its first name, or {@code inode N (no name)}
 * @param inode         inode number
 * @param generation    inode generation
 * @param damagedBytes  bytes damaged
 * @param ranges        damaged ranges
 * @param state         {@code OPEN} while any range is open
 * @param objectName    its MBean, or empty when over the per-filesystem MBean cap
 */
public record DamagedFileSummary(String path, long inode, long generation, long damagedBytes, int ranges,
                                 String state, String objectName) {
}
