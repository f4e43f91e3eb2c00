package io.daxguard.support.linux;

/**
 * A {@link FilesystemControl} call failed; {@link #meaning()} says what its errno means for that call, and the
 * message starts with it.
 */
public final class FilesystemControlException extends NativeCallException {
    private static final long serialVersionUID = 1L;

    /** What a failed freeze, thaw or shutdown means. */
    public enum Meaning {
        /** FIFREEZE: EBUSY, the filesystem is frozen already (by someone: fsfreeze, a snapshot tool, daxguard). */
        ALREADY_FROZEN("the filesystem is frozen already"),
        /** FITHAW: EINVAL, the filesystem is not frozen (or was frozen by the kernel, not through FIFREEZE). */
        NOT_FROZEN("the filesystem is not frozen"),
        /** EOPNOTSUPP or ENOTTY: this filesystem type does not implement the call. */
        UNSUPPORTED("the filesystem does not support it"),
        /** EPERM or EACCES: CAP_SYS_ADMIN is needed. */
        NOT_PERMITTED("not permitted: CAP_SYS_ADMIN is needed"),
        /** EROFS, EIO and anything else: the errno says it. */
        OTHER("it failed");

        private final String words;

        Meaning(String words) {
            this.words = words;
        }

        /** Words an operator reads. */
        public String words() {
            return words;
        }
    }

    private final Meaning meaning;
    private final String message;

    FilesystemControlException(NativeCallException failed) {
        super(failed.call(), failed.target(), failed.errno());
        initCause(failed);
        this.meaning = meaningOf(failed.call(), failed.errno());
        this.message = meaning.words() + ": " + failed.getMessage();
    }

    static Meaning meaningOf(String call, int errno) {
        if (errno == EPERM || errno == EACCES) {
            return Meaning.NOT_PERMITTED;
        }
        if (errno == EOPNOTSUPP || errno == ENOTTY) {
            return Meaning.UNSUPPORTED;
        }
        if (call.contains("FIFREEZE") && errno == EBUSY) {
            return Meaning.ALREADY_FROZEN;
        }
        if (call.contains("FITHAW") && errno == EINVAL) {
            return Meaning.NOT_FROZEN;
        }
        return Meaning.OTHER;
    }

    public Meaning meaning() {
        return meaning;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
