package io.daxguard.agent.remote;

/**
 * Time limits of the JDK's HTTP server (the HTTP bridge, the Prometheus endpoint): a request must be read within
 * {@link #REQUEST_SECONDS} and a response written within {@link #RESPONSE_SECONDS}, or the connection is closed. By
 * default the JDK waits for ever, so a client that sends half a request holds a serving thread until it goes away.
 * The JDK reads these system properties once, when it makes its first HTTP server, so both servers apply them before
 * that; a value given on the command line wins.
 */
final class HttpLimits {
    static final int REQUEST_SECONDS = 10;
    static final int RESPONSE_SECONDS = 60;

    private HttpLimits() {
    }

    static void apply() {
        setUnlessGiven("sun.net.httpserver.maxReqTime", REQUEST_SECONDS);
        setUnlessGiven("sun.net.httpserver.maxRspTime", RESPONSE_SECONDS);
    }

    private static void setUnlessGiven(String property, int seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(seconds));
        }
    }
}
