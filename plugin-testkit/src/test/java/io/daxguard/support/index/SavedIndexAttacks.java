package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What the adversarial tests of the saved index share: a gate that holds the catch-up build, a logger that keeps its
 * lines, and ground truth from FIEMAP to compare every answer with, including answers given from the saved index
 * before the catch-up build finished.
 */
final class SavedIndexAttacks {
    static final int BLOCK = 4096;

    private SavedIndexAttacks() {
    }

    /** The inodes the map names for one block. */
    static List<Long> ownersOf(LiveReverseMap map, long block) throws IOException {
        List<Owner> owners = map.ownersOfAllocated(block, block + BLOCK);
        return owners.stream().filter(FileOwner.class::isInstance).map(o -> ((FileOwner) o).inode()).sorted().toList();
    }

    static List<FiemapExtent> extentsOf(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, 0, 64, extents::add);
        }
        return extents;
    }

    static long inodeOf(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    /** Every block each of {@code files} maps now, with the inodes (sorted) that map it: the ground truth. */
    static Map<Long, List<Long>> liveOwners(List<Path> files) throws IOException {
        Map<Long, TreeSet<Long>> owners = new LinkedHashMap<>();
        for (Path file : files) {
            for (FiemapExtent extent : extentsOf(file)) {
                for (long block = extent.physical(); block < extent.physicalEnd(); block += BLOCK) {
                    owners.computeIfAbsent(block, b -> new TreeSet<>()).add(inodeOf(file));
                }
            }
        }
        Map<Long, List<Long>> sorted = new LinkedHashMap<>();
        owners.forEach((block, inodes) -> sorted.put(block, List.copyOf(inodes)));
        return sorted;
    }

    /**
     * Asks for the owners of each block in turn while the catch-up build is held by {@code gate}; the first question
     * that waits (for the catch-up build) opens the gate. Returns every answer, whenever given, and how many were
     * given from the saved index alone. Bounded by a minute a question; no sleeps.
     */
    static Answers askThroughTheWindow(LiveReverseMap map, List<Long> blocks, BuildGate gate, ExecutorService asker)
            throws Exception {
        Map<Long, List<Long>> answers = new LinkedHashMap<>();
        int beforeCatchUp = 0;
        for (long block : blocks) {
            answers.put(block, answerThroughTheWindow(() -> ownersOf(map, block), gate, asker));
            if (!gate.isOpen()) {
                beforeCatchUp++;
            }
        }
        gate.open();
        System.out.println("answered " + beforeCatchUp + " of " + blocks.size() + " from the saved index alone");
        return new Answers(answers, beforeCatchUp);
    }

    /**
     * The answer to {@code question}, asked while {@code gate} holds the catch-up build: given at once from the saved
     * index, or, once the asking thread waits (for the catch-up build), after the gate is opened. Bounded by a minute.
     */
    static <T> T answerThroughTheWindow(Callable<T> question, BuildGate gate, ExecutorService asker)
            throws Exception {
        Thread[] asking = new Thread[1];
        Future<T> answer = asker.submit(() -> {
            asking[0] = Thread.currentThread();
            return question.call();
        });
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!answer.isDone() && !gate.isOpen()) {
            Thread thread = asking[0];
            if (thread != null && (thread.getState() == Thread.State.WAITING
                    || thread.getState() == Thread.State.TIMED_WAITING)) {
                gate.open();
            }
            assertThat(System.nanoTime()).as("the question is answered or waits").isLessThan(deadline);
            Thread.onSpinWait();
        }
        return answer.get(1, TimeUnit.MINUTES);
    }

    record Answers(Map<Long, List<Long>> owners, int beforeCatchUp) {
    }

    /** Holds the index's own thread at its first file until opened, so questions are asked from the saved index. */
    static final class BuildGate implements ExtraExtentSource {
        private final CountDownLatch opened = new CountDownLatch(1);

        @Override
        public void visit(long inode, NativeFile file, Sink sink) throws IOException {
            if (Thread.currentThread().getName().startsWith("daxguard-index")) {
                try {
                    opened.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("gate closed with the map");
                }
            }
        }

        void open() {
            opened.countDown();
        }

        boolean isOpen() {
            return opened.getCount() == 0;
        }
    }

    /** Keeps what is logged, by level. */
    static final class RecordingLogger implements System.Logger {
        private final List<Map.Entry<Level, String>> lines = new CopyOnWriteArrayList<>();

        List<String> lines(Level level) {
            return lines.stream().filter(line -> line.getKey() == level).map(Map.Entry::getValue).toList();
        }

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(Map.entry(level, message + (thrown == null ? "" : ": " + thrown)));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(Map.entry(level, java.text.MessageFormat.format(format, params)));
        }
    }

    /** {@code relative} ("/dir/name") of a name made of raw bytes. */
    static LinuxPath relative(String directory, byte[] name) {
        return LinuxPath.ofText("/" + directory).join(LinuxPath.of(name));
    }
}
