package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.util.List;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A damaged file renamed ({@code mv swapme swapme.old}) is shown under its name now wherever it is shown: the status,
 * its DamagedFile MBean (registered again under the new name), the filesystem's list; the name it had when its damage
 * was found stays in its history. A file with several names (hard links) is shown under all of them.
 */
@Tag("mount")
class RenamedDamagedFileTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.started();

    private static String mount() {
        return XFS.mountPoint().toString();
    }

    /** Writes a file, reports its second page as failed, and returns its DamagedFile MBean's name. */
    private static ObjectName damaged(String name, long seed) throws Exception {
        AgentFixture.writeFile(XFS.path(name), 64 * 1024, seed);
        FiemapExtent extent = AgentFixture.extents(XFS.path(name)).get(0);
        AGENT.remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {XFS.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
        ObjectName mbean = ObjectNames.damagedFile(mount(), "/" + name);
        assertThat(AGENT.remote().isRegistered(mbean)).as("registered at detection").isTrue();
        return mbean;
    }

    private static String status() throws Exception {
        return (String) AGENT.remote().invoke(ObjectNames.agent(), "status", new Object[0], new String[0]);
    }

    @Test
    void aRenamedFileIsListedInTheStatusUnderItsNewName() throws Exception {
        damaged("swapme", 1);
        Files.move(XFS.path("swapme"), XFS.path("swapme.old"));

        String status = status();

        assertThat(status.lines().map(String::strip)).anyMatch(line -> line.startsWith(mount() + "/swapme.old  (inode"))
                .noneMatch(line -> line.startsWith(mount() + "/swapme  (inode"));
    }

    @Test
    void aRenamedFilesMBeanIsRegisteredAgainUnderItsNewName() throws Exception {
        ObjectName before = damaged("renamed-mbean", 2);
        Files.move(XFS.path("renamed-mbean"), XFS.path("renamed-mbean.old"));

        status();

        ObjectName after = ObjectNames.damagedFile(mount(), "/renamed-mbean.old");
        assertThat(List.of(AGENT.remote().isRegistered(before), AGENT.remote().isRegistered(after)))
                .containsExactly(false, true);
    }

    @Test
    void theMBeanOfARenamedFileShowsItsNewNameWhenRead() throws Exception {
        ObjectName mbean = damaged("read-after-rename", 3);
        Files.move(XFS.path("read-after-rename"), XFS.path("read-after-rename.old"));

        Object path = AGENT.remote().getAttribute(mbean, "Path"); // read through the name it had: it moves now

        assertThat(path).isEqualTo("/read-after-rename.old");
    }

    @Test
    void theNameAtDetectionStaysInTheFilesHistory() throws Exception {
        damaged("history-keeps", 4);
        Files.move(XFS.path("history-keeps"), XFS.path("history-keeps.old"));
        status();

        String[] history = (String[]) AGENT.remote().getAttribute(ObjectNames.damagedFile(mount(), "/history-keeps.old"),
                "History");

        assertThat(history).anySatisfy(line -> assertThat(line).contains("renamed: was /history-keeps,"));
    }

    @Test
    void theFilesystemListsARenamedFileUnderItsNewNameOnce() throws Exception {
        damaged("listed", 5);
        Files.move(XFS.path("listed"), XFS.path("listed.old"));

        CompositeData[] files = (CompositeData[]) AGENT.remote().invoke(ObjectNames.filesystem(mount()),
                "listDamagedFiles", new Object[] {0, 1000}, new String[] {"int", "int"});

        assertThat(files).extracting(file -> file.get("path")).contains("/listed.old").doesNotContain("/listed");
    }

    @Test
    void aRenamedFileIsRepairedUnderItsNewName() throws Exception {
        ObjectName mbean = damaged("repaired-renamed", 6);
        Files.move(XFS.path("repaired-renamed"), XFS.path("repaired-renamed.old"));

        String result = (String) AGENT.remote().invoke(mbean, "forceRewriteZeros", new Object[] {"/repaired-renamed.old"},
                new String[] {"java.lang.String"});

        assertThat(result).contains("closed as REWRITTEN");
    }

    @Test
    void aHardLinkedDamagedFileIsShownUnderEveryNameItHasNow() throws Exception {
        damaged("linked", 7);
        Files.createLink(XFS.path("linked.second"), XFS.path("linked"));
        Files.move(XFS.path("linked"), XFS.path("linked.first"));

        status();

        assertThat((String[]) AGENT.remote().getAttribute(ObjectNames.damagedFile(mount(), "/linked.first"), "Paths"))
                .containsExactlyInAnyOrder("/linked.first", "/linked.second");
    }
}
