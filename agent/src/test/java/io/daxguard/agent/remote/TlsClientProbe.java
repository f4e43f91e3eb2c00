package io.daxguard.agent.remote;

import java.util.Map;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;

/**
 * A JMX client in its own JVM, the way jconsole is one: its TLS identity and trust come from the
 * {@code javax.net.ssl.*} system properties it is started with (the JDK caches the default TLS socket factory
 * per JVM, so each TLS case needs a fresh one). Prints the agent's version and exits 0, or the error and 1.
 */
public final class TlsClientProbe {
    private TlsClientProbe() {
    }

    public static void main(String[] args) {
        // args: url user password
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(args[0]), Map.of(
                JMXConnector.CREDENTIALS, new String[] {args[1], args[2]},
                "com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory()))) {
            System.out.println(connector.getMBeanServerConnection()
                    .getAttribute(new ObjectName("io.daxguard:type=Agent"), "Version"));
            System.exit(0);
        } catch (Exception e) {
            System.out.println("refused: " + e);
            System.exit(1);
        }
    }
}
