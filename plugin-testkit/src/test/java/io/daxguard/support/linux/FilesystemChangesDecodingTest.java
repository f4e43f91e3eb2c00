package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How the fanotify events read are decoded into changed files, on events laid out as the kernel writes them
 * ({@code struct fanotify_event_metadata}, then a {@code struct fanotify_event_info_fid}); when the files are lost.
 */
class FilesystemChangesDecodingTest {
    private static final int HANDLE_BYTES = 8;
    private static final int INFO_LENGTH = FilesystemChanges.FID_OFFSET_HANDLE + FileHandle.HEADER_SIZE + HANDLE_BYTES;
    private static final int EVENT_LENGTH = FilesystemChanges.EVENT_METADATA_SIZE + INFO_LENGTH;

    /** Writes an event of {@code mask} at {@code offset}, naming handle {@code number}; returns the offset after it. */
    private static int event(Memory events, int offset, long mask, int number) {
        events.setInt(offset + FilesystemChanges.EVENT_OFFSET_LEN, EVENT_LENGTH);
        events.setShort(offset + FilesystemChanges.EVENT_OFFSET_METADATA_LEN,
                (short) FilesystemChanges.EVENT_METADATA_SIZE);
        events.setLong(offset + FilesystemChanges.EVENT_OFFSET_MASK, mask);
        int info = offset + FilesystemChanges.EVENT_METADATA_SIZE;
        events.setByte(info + FilesystemChanges.INFO_OFFSET_TYPE, (byte) FilesystemChanges.FAN_EVENT_INFO_TYPE_FID);
        events.setShort(info + FilesystemChanges.INFO_OFFSET_LEN, (short) INFO_LENGTH);
        int handle = info + FilesystemChanges.FID_OFFSET_HANDLE;
        events.setInt(handle + FileHandle.OFFSET_BYTES, HANDLE_BYTES);
        events.setInt(handle + FileHandle.OFFSET_TYPE, 1);
        events.setLong(handle + FileHandle.HEADER_SIZE, number);
        return offset + EVENT_LENGTH;
    }

    private static FileHandle handle(int number) {
        Memory bytes = new Memory(HANDLE_BYTES);
        bytes.setLong(0, number);
        return new FileHandle(1, bytes.getByteArray(0, HANDLE_BYTES));
    }

    @Test
    void collectsTheHandleOfEveryEventOnceEach() {
        try (Memory events = new Memory(4 * EVENT_LENGTH)) {
            int end = event(events, 0, FilesystemChanges.FAN_MODIFY, 7);
            end = event(events, end, FilesystemChanges.FAN_CREATE | FilesystemChanges.FAN_ONDIR, 9);
            end = event(events, end, FilesystemChanges.FAN_CLOSE_WRITE, 7);

            Set<FileHandle> files = FilesystemChanges.addChangedFiles(events, end, new HashSet<>());

            assertThat(files).containsExactlyInAnyOrder(handle(7), handle(9));
        }
    }

    @Test
    void losesTheFilesOnAFullQueue() {
        try (Memory events = new Memory(2 * EVENT_LENGTH)) {
            int end = event(events, 0, FilesystemChanges.FAN_MODIFY, 7);
            events.setInt(end + FilesystemChanges.EVENT_OFFSET_LEN, FilesystemChanges.EVENT_METADATA_SIZE);
            events.setShort(end + FilesystemChanges.EVENT_OFFSET_METADATA_LEN,
                    (short) FilesystemChanges.EVENT_METADATA_SIZE);
            events.setLong(end + FilesystemChanges.EVENT_OFFSET_MASK, FilesystemChanges.FAN_Q_OVERFLOW);
            end += FilesystemChanges.EVENT_METADATA_SIZE;

            assertThat(FilesystemChanges.addChangedFiles(events, end, new HashSet<>())).isNull();
        }
    }

    @Test
    void losesTheFilesForAnEventWithoutAHandle() {
        try (Memory events = new Memory(EVENT_LENGTH)) {
            events.setInt(FilesystemChanges.EVENT_OFFSET_LEN, FilesystemChanges.EVENT_METADATA_SIZE);
            events.setShort(FilesystemChanges.EVENT_OFFSET_METADATA_LEN, (short) FilesystemChanges.EVENT_METADATA_SIZE);
            events.setLong(FilesystemChanges.EVENT_OFFSET_MASK, FilesystemChanges.FAN_MODIFY);

            assertThat(FilesystemChanges.addChangedFiles(events, FilesystemChanges.EVENT_METADATA_SIZE,
                    new HashSet<>())).isNull();
        }
    }

    @Test
    void losesTheFilesPastTheBound() {
        Set<FileHandle> many = new HashSet<>();
        for (int i = 0; i < FilesystemChanges.MAX_CHANGED_FILES; i++) {
            many.add(handle(1_000_000 + i));
        }
        try (Memory events = new Memory(EVENT_LENGTH)) {
            int end = event(events, 0, FilesystemChanges.FAN_MODIFY, 7);

            assertThat(FilesystemChanges.addChangedFiles(events, end, many)).isNull();
        }
    }

    @Test
    void keepsLostFilesLost() {
        try (Memory events = new Memory(EVENT_LENGTH)) {
            int end = event(events, 0, FilesystemChanges.FAN_MODIFY, 7);

            assertThat(FilesystemChanges.addChangedFiles(events, end, null)).isNull();
        }
    }
}
