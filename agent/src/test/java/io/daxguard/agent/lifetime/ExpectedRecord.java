package io.daxguard.agent.lifetime;

/**
 * One damage record the ledger must hold, as the scenario's ground truth has it.
 *
 * @param label      the scenario's name for the bad sector and the filesystem it was resolved in ({@code X1},
 *                   {@code X1 in the re-made XFS}), for messages
 * @param device     kernel name of the device, for example {@code loop3}
 * @param offset     first byte on the device
 * @param uuid       the filesystem the record was resolved in
 * @param mountPoint where that filesystem was mounted when it was resolved
 * @param owner      what held the bytes then
 * @param state      the record's state now
 * @param inherited  whether it was resolved again from an earlier filesystem's record on the same disk
 * @param timesSeen  how often the sector was reported while this record covered it
 */
record ExpectedRecord(String label, String device, long offset, String uuid, String mountPoint, Owner owner,
                      String state, boolean inherited, long timesSeen) {
    static final long LENGTH = 512;

    ExpectedRecord withState(String newState) {
        return new ExpectedRecord(label, device, offset, uuid, mountPoint, owner, newState, inherited, timesSeen);
    }

    ExpectedRecord seenAgain() {
        return new ExpectedRecord(label, device, offset, uuid, mountPoint, owner, state, inherited, timesSeen + 1);
    }

    boolean open() {
        return state.equals("OPEN");
    }

    /**
     * How a ledger row is matched to it: the device range, the filesystem, and whether it was inherited (a deleted
     * file's record and the record its bytes were resolved again in share the other three).
     */
    String key() {
        return device + "@" + offset + " in " + uuid + (inherited ? " inherited" : "");
    }
}
