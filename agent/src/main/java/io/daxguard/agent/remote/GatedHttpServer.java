package io.daxguard.agent.remote;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The HTTP server as Jolokia sees it: every context Jolokia creates on it gets the bridge's gate and its
 * authenticator. Jolokia makes two contexts per endpoint ({@code /jolokia/control} and
 * {@code /jolokia/control/config}, both served by the same handler) and sets the authenticator on the first
 * only; a context Jolokia adds, now or in a later version, is never left open. Everything else is passed to the
 * real server.
 */
final class GatedHttpServer extends HttpServer {
    private final HttpServer server;
    private final Filter gate;
    private final Authenticator authenticator;

    GatedHttpServer(HttpServer server, Filter gate, Authenticator authenticator) {
        this.server = server;
        this.gate = gate;
        this.authenticator = authenticator;
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return gated(server.createContext(path, handler));
    }

    @Override
    public HttpContext createContext(String path) {
        return gated(server.createContext(path));
    }

    private HttpContext gated(HttpContext context) {
        context.getFilters().add(gate);
        context.setAuthenticator(authenticator);
        return context;
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) throws IOException {
        server.bind(address, backlog);
    }

    @Override
    public void start() {
        server.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        server.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return server.getExecutor();
    }

    @Override
    public void stop(int delay) {
        server.stop(delay);
    }

    @Override
    public void removeContext(String path) {
        server.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        server.removeContext(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return server.getAddress();
    }
}
