package io.daxguard.agent.remote;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * Server sockets for the RMI registry and the connector, on one address, optionally TLS. Two equal factories
 * let RMI share one listening port between the registry and the connector; hence {@link #equals}.
 */
final class BoundServerSocketFactory implements RMIServerSocketFactory {
    private final InetAddress address;
    private final SSLContext tls;
    private final boolean needClientAuth;

    BoundServerSocketFactory(InetAddress address, SSLContext tls, boolean needClientAuth) {
        this.address = Objects.requireNonNull(address, "address is null");
        this.tls = tls;
        this.needClientAuth = needClientAuth;
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        if (tls == null) {
            return new ServerSocket(port, 0, address);
        }
        SSLServerSocket socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(port, 0, address);
        socket.setNeedClientAuth(needClientAuth);
        return socket;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BoundServerSocketFactory that && address.equals(that.address) && tls == that.tls
                && needClientAuth == that.needClientAuth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, System.identityHashCode(tls), needClientAuth);
    }
}
