package io.daxguard.agent.demo;

import java.io.PrintWriter;

/** Placeholder until the demo lands. */
public final class Demo {
    private Demo() {
    }

    public static int run(PrintWriter out, PrintWriter err) {
        err.println("daxguard: demo is not available in this build");
        return 1;
    }
}
