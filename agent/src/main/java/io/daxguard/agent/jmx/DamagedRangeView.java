package io.daxguard.agent.jmx;

/**
 * One damaged range of one file.
 *
 * @param fileOffset       first damaged byte in the file (in the fork)
 * @param length           bytes
 * @param fork             {@code DATA}, {@code ATTRIBUTES} or {@code EXTENT_MAP}
 * @param device           the device's kernel name
 * @param deviceOffset     first damaged byte on that device
 * @param errno            the error the device returned
 * @param source           who reported it
 * @param firstSeen        ISO-8601
 * @param lastSeen         ISO-8601
 * @param timesSeen        how often it was reported
 * @param shared           whether other files share these bytes
 * @param state            the damage record's state
 * @param recordId         the damage record
 */
public record DamagedRangeView(long fileOffset, long length, String fork, String device, long deviceOffset, int errno,
                               String source, String firstSeen, String lastSeen, long timesSeen, boolean shared,
                               String state, long recordId) {

    /** The view of one hit of a damaged file. */
    static DamagedRangeView of(io.daxguard.agent.ledger.DamagedFile.Hit hit) {
        return new DamagedRangeView(hit.owner().fileOffset(), hit.owner().length(), hit.owner().fork().name(),
                hit.record().deviceName(), hit.owner().physicalOffset(), hit.record().errno(), hit.record().source(),
                hit.record().firstSeen().toString(), hit.record().lastSeen().toString(), hit.record().count(),
                hit.owner().shared(), hit.state().name(), hit.record().id());
    }
}
