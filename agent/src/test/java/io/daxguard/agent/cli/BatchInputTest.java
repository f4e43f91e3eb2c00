package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import org.junit.jupiter.api.Test;

/** What `daxguard report/resolve --from` accept, before anything is sent to the agent. */
class BatchInputTest {
    @Test
    void anInputOfMoreItemsThanTheBoundIsRefusedNamingTheFirstLineOverIt() {
        InputStream stdin = repeated("0 4096\n", BatchInput.MOST_ITEMS + 1);

        assertThatThrownBy(() -> BatchInput.ranges("-", stdin))
                .isInstanceOf(BatchInput.BadLine.class)
                .hasMessage("stdin line " + (BatchInput.MOST_ITEMS + 1) + ": more than " + BatchInput.MOST_ITEMS
                        + " items in one input; split it");
    }

    @Test
    void anInputOfExactlyTheBoundIsAccepted() throws Exception {
        assertThat(BatchInput.ranges("-", repeated("# a comment\n0 4096\n\n", BatchInput.MOST_ITEMS)))
                .hasSize(BatchInput.MOST_ITEMS);
    }

    /** {@code text} {@code times} times, made as it is read. */
    private static InputStream repeated(String text, int times) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        Enumeration<InputStream> parts = new Enumeration<>() {
            private int made;

            @Override
            public boolean hasMoreElements() {
                return made < times;
            }

            @Override
            public InputStream nextElement() {
                made++;
                return new ByteArrayInputStream(bytes);
            }
        };
        return new SequenceInputStream(parts);
    }
}
