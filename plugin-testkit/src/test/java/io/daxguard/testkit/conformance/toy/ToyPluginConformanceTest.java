package io.daxguard.testkit.conformance.toy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/** The well-behaved toy plugin passes the whole conformance suite, on XFS (with reflink) and on ext4. */
@Tag("mount")
class ToyPluginConformanceTest {
    @Nested
    class OnXfs extends ToySuite {
        OnXfs() {
            super("xfs");
        }
    }

    @Nested
    class OnExt4 extends ToySuite {
        OnExt4() {
            super("ext4");
        }
    }
}
