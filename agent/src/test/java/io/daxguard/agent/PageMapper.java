package io.daxguard.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child process (python3) that maps one page of a file and reports a signal: it says {@code mapped}, answers each
 * question with {@code alive}, and on SIGBUS says {@code got SIGBUS} and exits. Asking after an action tells whether
 * the action signalled it, with no wait: a signal sent before the question is answered before it.
 */
final class PageMapper implements AutoCloseable {
    private static final String PROGRAM = "import mmap, os, signal, sys\n"
            + "f = open(sys.argv[1], 'rb')\n"
            + "m = mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ, offset=int(sys.argv[2]) * 4096)\n"
            + "signal.signal(signal.SIGBUS, lambda s, fr: (print('got SIGBUS', flush=True), os._exit(0)))\n"
            + "print('mapped', flush=True)\n"
            + "for line in sys.stdin: print('alive', flush=True)\n";

    private final Process process;
    private final BufferedReader lines;
    private final Writer input;

    /** Maps page {@code page} (4 KiB) of {@code file}; returns once it is mapped. */
    PageMapper(Path file, int page) throws IOException {
        process = new ProcessBuilder("python3", "-c", PROGRAM, file.toString(), Integer.toString(page)).start();
        lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String first = lines.readLine();
        if (!"mapped".equals(first)) {
            close();
            throw new IOException("the mapper did not map " + file + " page " + page + ": " + first);
        }
    }

    long pid() {
        return process.pid();
    }

    /** {@code alive}, or {@code got SIGBUS} when it was signalled before. */
    String ask() throws IOException {
        try {
            input.write("still there?\n");
            input.flush();
        } catch (IOException exited) {
            // It exited on the signal already: its last words are still to be read.
        }
        return lines.readLine();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
