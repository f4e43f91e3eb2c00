package io.daxguard.agent;

import io.daxguard.testkit.FaultyDisk;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The disk geometries the sources and repairs are tested on: XFS and ext4 on 512-byte and 4096-byte (4Kn)
 * logical sectors, and XFS on 16 KiB logical sectors (a block size above the page size; ext4 cannot mount
 * that). A 512e disk (512 logical, 4096 physical) is missing: the loop driver reports the physical sector size
 * equal to the logical one, and 512e reads like 512 for O_DIRECT anyway.
 */
final class LogicalSectorSizes {
    private LogicalSectorSizes() {
    }

    /** A test run on every geometry; its parameters are the filesystem type and the logical sector size. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0} on {1}-byte logical sectors")
    @CsvSource({"xfs, 512", "xfs, 4096", "ext4, 512", "ext4, 4096", "xfs, 16384"})
    @interface OnEveryLogicalSectorSize {
    }

    /** A faulty disk of {@code type} (XFS with rmapbt and reflink) on a loop device with these logical sectors. */
    static FaultyDisk.Builder faultyDisk(String type, int logicalSectorSize) {
        if (type.equals("ext4")) {
            SourcesFixture.requirePlugin("ext4");
        }
        FaultyDisk.Builder builder = type.equals("xfs") ? FaultyDisk.xfs() : FaultyDisk.ext4();
        return builder.logicalSectorSize(logicalSectorSize);
    }

    /** Where the logical sector holding {@code byteOffset} starts. */
    static long logicalSectorStart(long byteOffset, int logicalSectorSize) {
        return Math.floorDiv(byteOffset, logicalSectorSize) * logicalSectorSize;
    }
}
