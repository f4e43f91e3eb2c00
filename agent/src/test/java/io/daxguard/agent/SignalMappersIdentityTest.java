package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * signalMappers signals the processes that map the damaged file, not another file that was given its inode number
 * after it was deleted (ext4 hands a freed inode number to the next file made in its group).
 */
@Tag("mount")
class SignalMappersIdentityTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after EXT4: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.started();

    /** Maps its file, says so, answers each line on stdin with "alive", and says "got SIGBUS" on one. */
    private static final String MAPPER = "import mmap, os, signal, sys\n"
            + "f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)\n"
            + "signal.signal(signal.SIGBUS, lambda s, fr: (print('got SIGBUS', flush=True), os._exit(0)))\n"
            + "print('mapped', flush=True)\n"
            + "for line in sys.stdin: print('alive', flush=True)\n";

    @BeforeAll
    static void requirePython() {
        Privileges.requireRootLoopAnd("python3");
    }

    @Test
    void aProcessMappingAnotherFileWithTheDamagedFilesInodeNumberIsNotSignalled() throws Exception {
        Path damaged = EXT4.path("damaged.bin");
        AgentFixture.writeFile(damaged, 64 * 1024, 1);
        long inode = (Long) Files.getAttribute(damaged, "unix:ino");
        FiemapExtent extent = AgentFixture.extents(damaged).get(0);
        AGENT.remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {EXT4.device().getFileName().toString(),
            (extent.physical() + 4096) / 512, 8L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
        ObjectName mbean = ObjectNames.damagedFile(EXT4.mountPoint().toString(), "/damaged.bin");
        Files.delete(damaged);
        Path reuser = EXT4.path("reuser.bin");
        AgentFixture.writeFile(reuser, 64 * 1024, 2);
        assertThat((Long) Files.getAttribute(reuser, "unix:ino")).as("ext4 gave the freed inode number again")
                .isEqualTo(inode);
        Process mapper = new ProcessBuilder("python3", "-c", MAPPER, reuser.toString()).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(mapper.getInputStream(),
                StandardCharsets.UTF_8)); Writer input = new OutputStreamWriter(mapper.getOutputStream(),
                StandardCharsets.UTF_8)) {
            assertThat(lines.readLine()).isEqualTo("mapped");

            String result = (String) AGENT.remote().invoke(mbean, "signalMappers", new Object[] {""},
                    new String[] {"java.lang.String"});
            input.write("still there?\n");
            input.flush();

            // A SIGBUS sent before the question would be answered before it.
            assertThat(lines.readLine()).as(result).isEqualTo("alive");
            assertThat(result).isEqualTo("no process maps the file");
        } finally {
            mapper.destroyForcibly();
            mapper.waitFor();
        }
    }
}
