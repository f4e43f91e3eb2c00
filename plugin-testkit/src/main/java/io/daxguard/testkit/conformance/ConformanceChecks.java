package io.daxguard.testkit.conformance;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.OpenDescriptors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The checks of the holder as a whole: member devices, descriptors left on the mount, concurrent calls, and the
 * refusal's reason.
 */
public final class ConformanceChecks {
    /** Threads that query at once. */
    static final int THREADS = 4;
    /** Times each thread asks every range in the storm. */
    static final int ROUNDS = 3;

    private ConformanceChecks() {
    }

    /**
     * The mount's device is a member (unless it is no block device: btrfs's mount table names an anonymous 0:NN,
     * so its members are the block devices the filesystem names, each one a block device); on a single-device
     * filesystem the only member answers through the member calls ({@code notifyFailure(member, range)},
     * {@code forEachWrittenExtent(member, ...)}) as the plain calls do; a device that is no member is refused with
     * {@link IllegalArgumentException}.
     */
    public static void checkMemberDevices(Holder holder, List<FailureRange> queries) throws IOException {
        DeviceNumber mounted = holder.mount().device();
        List<DeviceNumber> members = holder.memberDevices();
        if (isBlockDevice(mounted) && (members == null || !members.contains(mounted))) {
            throw new AssertionError("memberDevices() is " + members + "; it must include the mounted device "
                    + mounted);
        }
        if (members == null || members.isEmpty()) {
            throw new AssertionError("memberDevices() is " + members + "; it must name the block devices the"
                    + " filesystem keeps its data on (the mount table names " + mounted + ", no block device)");
        }
        for (DeviceNumber member : members) {
            if (!isBlockDevice(member)) {
                throw new AssertionError("memberDevices() names " + member + ", which is no block device (not in"
                        + " /sys/dev/block): failures are reported on block devices, so none would reach it");
            }
        }
        DeviceNumber stranger = new DeviceNumber(0xfff, 0xfffff);
        try {
            holder.notifyFailure(stranger, queries.get(0));
            throw new AssertionError("notifyFailure(" + stranger + ", ...) answered for a device that is not a member"
                    + " of " + members + "; it must throw IllegalArgumentException");
        } catch (IllegalArgumentException expected) {
            // refused, as it must be
        }
        if (members.size() != 1) {
            return; // a multi-device holder's member offsets are not filesystem offsets; its own suite checks them
        }
        DeviceNumber only = members.get(0);
        for (FailureRange query : queries) {
            List<Owner> plain = AnswerChecks.canonical(holder.notifyFailure(query));
            List<Owner> member = AnswerChecks.canonical(holder.notifyFailure(only, query));
            if (!plain.equals(member)) {
                throw new AssertionError("notifyFailure(" + only + ", " + AnswerChecks.describe(query)
                        + ") differs from notifyFailure of the only member: " + member + " vs " + plain);
            }
        }
        long end = holder.info().size();
        List<ScrubChecks.Visited> plain = ScrubChecks.visit(holder, 0, end);
        List<ScrubChecks.Visited> member = ScrubChecks.visit(holder, only, 0, end);
        if (!plain.equals(member)) {
            throw new AssertionError("forEachWrittenExtent(" + only + ", 0, " + end + ") differs from the plain"
                    + " call on the only member: " + ScrubChecks.describe(member) + " vs " + ScrubChecks.describe(plain));
        }
    }

    /** Whether the kernel has a block device of that number (btrfs's anonymous mount device is none). */
    private static boolean isBlockDevice(DeviceNumber device) {
        return java.nio.file.Files.exists(java.nio.file.Path.of("/sys/dev/block", device.toString()));
    }

    /** No descriptor of this process is on the mount, and the administrator's {@code umount} succeeds. */
    public static void checkUnmountsAfterCalls(ConformanceFilesystem fs) throws IOException {
        List<String> onMount = descriptorsOn(fs);
        if (!onMount.isEmpty()) {
            throw new AssertionError("after its calls returned, the holder keeps descriptors open on " + fs.mountPoint()
                    + ": " + onMount + "; the administrator's umount would fail with EBUSY");
        }
        Command.Result umount = fs.tryUnmount();
        if (umount.exitCode() != 0) {
            throw new AssertionError("umount " + fs.mountPoint() + " failed after the holder's calls returned: "
                    + umount.stderr().strip());
        }
    }

    /**
     * While a {@code forEachWrittenExtent} call is held inside its consumer on another thread, the administrator's
     * {@code umount} succeeds: a holder opens the mount for what it asks the kernel and closes it before handing
     * results out (a scrub's consumer reads the disk and may take long).
     */
    public static void checkUnmountsDuringACall(ConformanceFilesystem fs, Holder holder, long deviceSize)
            throws Throwable {
        HeldCall call = HeldCall.start(holder, 0, deviceSize);
        Command.Result umount;
        List<String> onMount;
        try {
            if (!call.isHeld()) {
                call.finish();
                throw new AssertionError("forEachWrittenExtent over the whole device visited nothing");
            }
            onMount = descriptorsOn(fs);
            umount = fs.tryUnmount();
        } finally {
            call.release();
        }
        try {
            call.finish();
        } catch (IOException | RuntimeException unmountedUnderIt) {
            // the filesystem went away under the call: failing then is right
        }
        if (umount.exitCode() != 0) {
            throw new AssertionError("umount " + fs.mountPoint() + " failed while forEachWrittenExtent was handing an"
                    + " extent to its consumer on another thread (" + umount.stderr().strip() + "); descriptors on the"
                    + " mount: " + onMount + ". Close the mount point before calling the consumer");
        }
    }

    /**
     * Several threads asking at once get the answers one thread gets: first while a scrub call is held open on
     * another thread (so the calls certainly overlap it), then all threads started together, several rounds.
     */
    public static void checkConcurrentCalls(Holder holder, List<FailureRange> queries, long deviceSize)
            throws Throwable {
        List<List<Owner>> expected = new ArrayList<>();
        for (FailureRange query : queries) {
            expected.add(AnswerChecks.canonical(holder.notifyFailure(query)));
        }
        List<ScrubChecks.Visited> expectedScrub = ScrubChecks.visit(holder, 0, deviceSize);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            HeldCall held = HeldCall.start(holder, 0, deviceSize);
            try {
                if (!held.isHeld()) {
                    throw new AssertionError("forEachWrittenExtent over the whole device visited nothing");
                }
                List<Future<String>> during = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    during.add(threads.submit(() -> differences(holder, queries, expected, 1, null)));
                }
                for (Future<String> thread : during) {
                    report(thread, "while forEachWrittenExtent was in progress on another thread");
                }
            } finally {
                held.release();
            }
            List<ScrubChecks.Visited> heldScrub;
            try {
                heldScrub = held.finish();
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("not thread-safe: forEachWrittenExtent threw " + e + " when other threads"
                        + " called the holder while it was in progress", e);
            }
            if (!heldScrub.equals(expectedScrub)) {
                throw new AssertionError("not thread-safe: forEachWrittenExtent visited other extents while other"
                        + " threads called the holder: " + ScrubChecks.describe(heldScrub) + "\n  alone: "
                        + ScrubChecks.describe(expectedScrub));
            }
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<String>> storm = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                storm.add(threads.submit(() -> differences(holder, queries, expected, ROUNDS, start)));
            }
            for (Future<String> thread : storm) {
                report(thread, "with " + THREADS + " threads asking at once");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static String differences(Holder holder, List<FailureRange> queries, List<List<Owner>> expected,
                                      int rounds, CyclicBarrier start) throws Exception {
        if (start != null) {
            start.await(HeldCall.GUARD.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < queries.size(); i++) {
                List<Owner> answer;
                try {
                    answer = AnswerChecks.canonical(holder.notifyFailure(queries.get(i)));
                } catch (IOException | RuntimeException e) {
                    return "notifyFailure" + AnswerChecks.describe(queries.get(i)) + " threw " + e;
                }
                if (!answer.equals(expected.get(i))) {
                    return "notifyFailure" + AnswerChecks.describe(queries.get(i)) + " answered"
                            + AnswerChecks.describe(answer) + "\n  where one thread alone got"
                            + AnswerChecks.describe(expected.get(i));
                }
            }
        }
        return null;
    }

    private static void report(Future<String> thread, String when) throws Exception {
        String difference;
        try {
            difference = thread.get(HeldCall.GUARD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("calls did not return within " + HeldCall.GUARD + " " + when
                    + ": the holder makes callers wait for each other (or hangs); the agent calls it from several"
                    + " threads, and a scrub's consumer may take long");
        }
        if (difference != null) {
            throw new AssertionError("not thread-safe: " + when + ", " + difference);
        }
    }

    /** The refusal names the mount, has a reason, and the reason says what to do. */
    public static void checkRefusal(Refusal refusal, AttachRefusedException refused) {
        String reason = refused.reason();
        if (reason == null || reason.isBlank()) {
            throw new AssertionError("attach to " + refusal.mount().mountPoint() + " was refused without a reason: "
                    + "say why, and what the administrator can do about it");
        }
        if (!refusal.mount().mountPoint().equals(refused.mountPoint())) {
            throw new AssertionError("the refusal names mount point " + refused.mountPoint() + ", not the one attached,"
                    + " " + refusal.mount().mountPoint());
        }
        for (String words : refusal.whatToDo()) {
            if (!PluginConformanceSuite.lower(reason).contains(PluginConformanceSuite.lower(words))) {
                throw new AssertionError("the refusal's reason \"" + reason + "\" does not say what to do: expected"
                        + " it to contain \"" + words + "\"");
            }
        }
    }

    /** What this process has open on the filesystem's mount point or below it. */
    static List<String> descriptorsOn(ConformanceFilesystem fs) {
        String mountPoint = fs.mountPoint().toString();
        return OpenDescriptors.targets().stream()
                .filter(target -> target.equals(mountPoint) || target.startsWith(mountPoint + "/"))
                .toList();
    }
}
