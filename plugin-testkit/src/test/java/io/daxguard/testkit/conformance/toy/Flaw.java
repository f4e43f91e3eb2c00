package io.daxguard.testkit.conformance.toy;

/** A deliberate mistake the toy plugin can make, so the conformance suite's tests can show that it is caught. */
public enum Flaw {
    /** Names only the first file of a shared (reflinked) block. */
    DROPS_SHARERS,
    /** Gives each file owner its whole extent, not the part inside the query. */
    DOES_NOT_TRIM,
    /** Answers with the owner at the start of the range alone (UnknownOwner for the rest). */
    ONLY_FIRST_OWNER,
    /** Answers free space as UnknownOwner. */
    FREE_AS_UNKNOWN,
    /** Leaves free space out of the answer: bytes with no owner at all. */
    LEAVES_FREE_SPACE_OUT,
    /** Reports every file with generation 0, so a reused inode number cannot be told apart. */
    LOSES_GENERATIONS,
    /** Puts every file in subvolume 5 (as on btrfs) on a filesystem with one inode-number space. */
    WRONG_SUBVOLUME,
    /** Names metadata with an empty repair hint. */
    BLANK_REPAIR_HINT,
    /** Keeps the mount point open from attach to close. */
    LEAKS_DESCRIPTOR,
    /** Hands out scrub extents while its descriptor of the mount point is open. */
    HOLDS_MOUNT_DURING_SCRUB,
    /** Answers a batch with each range rounded out to whole blocks. */
    BATCH_ROUNDS_TO_BLOCKS,
    /** Scrubs free space too. */
    SCRUBS_FREE_SPACE,
    /** Hands out a shared block once per sharer. */
    SCRUBS_SHARED_BLOCKS_TWICE,
    /** Names no member device. */
    NAMES_NO_MEMBERS,
    /** Shares one scratch list between calls. */
    NOT_THREAD_SAFE,
    /** Remembers the files it found at attach, so a replaced file keeps its old identity. */
    REMEMBERS_FILES,
    /** Refuses without saying what to do. */
    REFUSES_WITHOUT_REMEDY
}
