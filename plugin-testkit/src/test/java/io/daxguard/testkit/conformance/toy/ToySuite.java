package io.daxguard.testkit.conformance.toy;

import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.testkit.conformance.ConformanceFilesystem;
import io.daxguard.testkit.conformance.FilesystemFacts;
import io.daxguard.testkit.conformance.PluginConformanceSuite;
import io.daxguard.testkit.conformance.Refusal;
import io.daxguard.testkit.conformance.XfsIoFsmap;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * The conformance suite for the toy plugin on a scratch XFS (reflink, so sharing is checked) or ext4, with the
 * flaws the toy is given; {@link FlawsAreCaughtTest} runs its checks one by one. Not itself a test class: its name
 * does not end in Test.
 */
class ToySuite extends PluginConformanceSuite {
    private final String type;
    private Set<Flaw> flaws = EnumSet.noneOf(Flaw.class);

    ToySuite(String type) {
        this.type = type;
    }

    /** Gives the toy these flaws from the next attach on. */
    void flaws(Set<Flaw> flaws) {
        this.flaws = flaws.isEmpty() ? EnumSet.noneOf(Flaw.class) : EnumSet.copyOf(flaws);
    }

    @Override
    protected FilesystemPlugin plugin() {
        return new ToyPlugin(flaws);
    }

    @Override
    protected ConformanceFilesystem createFilesystem() throws IOException {
        return ConformanceFilesystem.of(type.equals("xfs") ? ScratchFilesystem.xfs().create()
                : ScratchFilesystem.of(type).create());
    }

    /** The kernel's GETFSMAP through xfs_io: the toy reads it too, so this checks the toy's use of it. */
    @Override
    protected FilesystemFacts facts(ConformanceFilesystem fs) throws IOException {
        return XfsIoFsmap.facts(fs);
    }

    @Override
    protected Refusal refusal(ConformanceFilesystem fs) throws IOException {
        return Refusal.ofBindMount(fs, "sub", "attach a mount of its root");
    }

    @Override
    protected boolean supportsReflink() {
        return type.equals("xfs");
    }
}
