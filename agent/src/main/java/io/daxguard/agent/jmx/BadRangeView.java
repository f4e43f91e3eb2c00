package io.daxguard.agent.jmx;

/**
 * A failed range of a device as its Device MBean shows it.
 *
 * @param offset     first failed byte on the device
 * @param length     bytes
 * @param device     the device the record is on (the partition, when the disk's MBean shows it)
 * @param errno      the error
 * @param source     who reported it
 * @param firstSeen  ISO-8601
 * @param timesSeen  how often it was reported
 * @param owners     what was hit, one line each; empty when no filesystem holds the range
 * @param state      the record's state
 * @param recordId   the damage record
 */
public record BadRangeView(long offset, long length, String device, int errno, String source, String firstSeen,
                           long timesSeen, java.util.List<String> owners, String state, long recordId) {
}
