import java.awt.Component;
import java.awt.Container;
import java.awt.Frame;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import javax.swing.AbstractButton;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.JTable;
import javax.swing.JTree;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import javax.swing.tree.TreeModel;
import javax.swing.tree.TreePath;

/**
 * Runs jconsole in this JVM, connected to a local process, and opens an MBean's attribute by the names in the
 * MBean tree (not by screen coordinates, which move with every other node of the tree), then writes a PNG of
 * the window. Used by bin/screenshot-jconsole under Xvfb.
 *
 * <p>Usage: {@code JconsoleScreenshot PID OUT.png ATTRIBUTE NODE...}, where NODE... is the path of tree labels
 * from the domain down to the MBean ("io.daxguard" "DamagedFile" "/mnt/x" "/projects/design.pdf"); quotes
 * that jconsole shows around quoted ObjectName values are ignored when matching.
 *
 * <p>Every step waits for its condition (polled on the Swing thread by a timer), at most two minutes.
 */
public final class JconsoleScreenshot {
    /** How long each step may wait: jconsole connects slowly on a loaded machine. */
    private static final long STEP_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 860;

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: JconsoleScreenshot PID OUT.png ATTRIBUTE NODE...");
            System.exit(2);
        }
        String pid = args[0];
        File out = new File(args[1]);
        String attribute = args[2];
        List<String> nodePath = Arrays.asList(args).subList(3, args.length);
        try {
            run(pid, out, attribute, nodePath);
            System.out.println("wrote " + out);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("screenshot-jconsole: " + e.getMessage());
            File failed = new File(out.getPath() + ".failed.png");
            ImageIO.write(new Robot().createScreenCapture(new Rectangle(0, 0, WIDTH, HEIGHT)), "png", failed);
            System.err.println("screenshot-jconsole: the screen at the failure is in " + failed);
            System.exit(1);
        }
    }

    private static void run(String pid, File out, String attribute, List<String> nodePath) throws Exception {
        System.setProperty("swing.defaultlaf", "javax.swing.plaf.metal.MetalLookAndFeel");
        Class.forName("sun.tools.jconsole.JConsole").getMethod("main", String[].class)
                .invoke(null, (Object) new String[] {pid});
        Frame frame = waitFor("the jconsole window", () -> Arrays.stream(Frame.getFrames())
                .filter(f -> f.isShowing() && f.getTitle().startsWith("Java Monitoring")).findFirst());
        onSwing(() -> frame.setBounds(0, 0, WIDTH, HEIGHT));
        JTabbedPane tabs = waitFor("the MBeans tab", () -> find(frame, JTabbedPane.class,
                t -> t.indexOfTab("MBeans") >= 0));
        onSwing(() -> tabs.setSelectedIndex(tabs.indexOfTab("MBeans")));
        JTree tree = waitFor("the MBean tree", () -> find(frame, JTree.class,
                t -> t.isShowing() && t.getModel().getChildCount(t.getModel().getRoot()) > 0));
        List<String> withAttributes = new ArrayList<>(nodePath);
        withAttributes.add("Attributes");
        TreePath attributes;
        try {
            attributes = waitFor("the tree node " + String.join(" > ", withAttributes),
                    () -> pathByLabels(tree, withAttributes));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; the tree has " + onSwing(() -> labels(tree.getModel(),
                    tree.getModel().getRoot(), "")), e);
        }
        onSwing(() -> {
            find(frame, JSplitPane.class, Component::isShowing).ifPresent(split -> split.setDividerLocation(470));
            tree.expandPath(attributes.getParentPath());
            tree.setSelectionPath(attributes);
            tree.scrollPathToVisible(attributes);
        });
        JTable table = waitFor("the attribute " + attribute, () -> find(frame, JTable.class,
                t -> t.isShowing() && rowOf(t, attribute) >= 0));
        // jconsole opens a value in place (a taller row) on a double click, which calls updateZoomedCell; it is
        // called directly, again whenever the table was reloaded, so no click can land on a row that moved.
        java.lang.reflect.Method zoom = table.getClass().getDeclaredMethod("updateZoomedCell", int.class, int.class);
        zoom.setAccessible(true);
        waitFor("the opened value of " + attribute, () -> {
            int row = rowOf(table, attribute);
            if (table.getRowHeight(row) > table.getRowHeight()) {
                return Optional.of(Boolean.TRUE);
            }
            try {
                zoom.invoke(table, row, 1);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            return Optional.empty();
        });
        Robot robot = new Robot();
        robot.waitForIdle();
        robot.waitForIdle();
        Rectangle shot = onSwing(() -> new Rectangle(frame.getLocationOnScreen(), frame.getSize()));
        BufferedImage image = robot.createScreenCapture(shot);
        File parent = out.getAbsoluteFile().getParentFile();
        if (parent != null) {
            parent.mkdirs();
        }
        ImageIO.write(image, "png", out);
    }

    private static Optional<AbstractButton> button(String text) {
        for (Window window : Window.getWindows()) {
            if (window.isShowing()) {
                Optional<AbstractButton> found = find(window, AbstractButton.class, b -> text.equals(b.getText()));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static int rowOf(JTable table, String attribute) {
        for (int row = 0; row < table.getRowCount(); row++) {
            if (attribute.equals(String.valueOf(table.getValueAt(row, 0)))) {
                return row;
            }
        }
        return -1;
    }

    /**
     * The tree path whose labels (below the hidden root) are {@code labels}, quotes ignored. jconsole fills a
     * node's children when it is expanded, so each node found on the way is expanded.
     */
    private static Optional<TreePath> pathByLabels(JTree tree, List<String> labels) {
        TreeModel model = tree.getModel();
        Object node = model.getRoot();
        TreePath path = new TreePath(node);
        for (String label : labels) {
            Object next = null;
            for (int i = 0; i < model.getChildCount(node); i++) {
                Object child = model.getChild(node, i);
                if (unquoted(child.toString()).equals(unquoted(label))) {
                    next = child;
                    break;
                }
            }
            if (next == null) {
                return Optional.empty();
            }
            node = next;
            path = path.pathByAddingChild(node);
            tree.expandPath(path);
        }
        return Optional.of(path);
    }

    /** The tree's labels, one per line, indented by depth: what a failed lookup saw. */
    private static String labels(TreeModel model, Object node, String indent) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < model.getChildCount(node); i++) {
            Object child = model.getChild(node, i);
            text.append('\n').append(indent).append(child).append(labels(model, child, indent + "  "));
        }
        return text.toString();
    }

    private static String unquoted(String label) {
        return label.length() >= 2 && label.startsWith("\"") && label.endsWith("\"")
                ? label.substring(1, label.length() - 1) : label;
    }

    private static <T extends Component> Optional<T> find(Component top, Class<T> type,
                                                           java.util.function.Predicate<T> wanted) {
        if (type.isInstance(top) && wanted.test(type.cast(top))) {
            return Optional.of(type.cast(top));
        }
        if (top instanceof Container container) {
            for (Component child : container.getComponents()) {
                Optional<T> found = find(child, type, wanted);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** Polls {@code probe} on the Swing thread every 200 ms until it answers or {@link #STEP_NANOS} pass. */
    private static <T> T waitFor(String what, Supplier<Optional<T>> probe) throws Exception {
        CompletableFuture<T> found = new CompletableFuture<>();
        long deadline = System.nanoTime() + STEP_NANOS;
        Timer timer = new Timer(200, null);
        timer.addActionListener(event -> {
            try {
                // The local connector is loopback-only; jconsole offers, at some point, to retry without SSL.
                button("Insecure connection").ifPresent(AbstractButton::doClick);
                Optional<T> value = probe.get();
                if (value.isPresent()) {
                    timer.stop();
                    found.complete(value.get());
                } else if (System.nanoTime() - deadline > 0) {
                    timer.stop();
                    found.completeExceptionally(new IllegalStateException("jconsole never showed " + what));
                }
            } catch (RuntimeException e) {
                // Components change while jconsole connects; the next tick looks again.
            }
        });
        timer.setInitialDelay(0);
        timer.start();
        try {
            return found.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static void onSwing(Runnable action) throws Exception {
        SwingUtilities.invokeAndWait(action);
    }

    private static <T> T onSwing(Supplier<T> value) throws Exception {
        Object[] result = new Object[1];
        SwingUtilities.invokeAndWait(() -> result[0] = value.get());
        @SuppressWarnings("unchecked")
        T typed = (T) result[0];
        return typed;
    }
}
