package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Command;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion script as bash runs it: sourced, then asked to complete what an operator has typed. */
class CompletionCommandTest {
    @TempDir
    Path work;

    private String script() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DaxguardCommand.execute(new String[] {"completion", "bash"}, new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as("daxguard completion bash: %s", err).isZero();
        return out.toString();
    }

    /** What bash offers for the words typed so far (the last one being completed). */
    private String complete(String... words) throws Exception {
        Path script = Files.writeString(work.resolve("daxguard-completion"), script());
        String typed = String.join(" ", words);
        return Command.run("bash", "-c", "source \"$1\"; COMP_WORDS=(" + typed + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));"
                + " COMP_LINE=\"" + typed + "\"; COMP_POINT=${#COMP_LINE}; _complete_daxguard; printf '%s\\n' \"${COMPREPLY[@]}\"",
                "complete", script.toString()).trim();
    }

    @Test
    void aCommandIsCompletedFromItsFirstLetters() throws Exception {
        assertThat(complete("daxguard", "sta").lines()).containsExactly("status");
    }

    @Test
    void aCommandsOptionsAreCompleted() throws Exception {
        assertThat(complete("daxguard", "resolve", "--js").lines()).contains("--json");
    }

    @Test
    void anUnknownShellIsRefusedWithTheOnesKnown() {
        StringWriter err = new StringWriter();
        int code = DaxguardCommand.execute(new String[] {"completion", "fish"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));

        assertThat(code).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("fish").contains("bash");
    }
}
