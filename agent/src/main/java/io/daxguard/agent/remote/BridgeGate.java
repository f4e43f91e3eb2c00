package io.daxguard.agent.remote;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What every HTTP request to the bridge passes before anything else, credentials included:
 * <ul>
 * <li>a request from a web page names its origin ({@code Origin}, else {@code Referer}); it must be one of
 *     {@code http.allowedOrigins}, so a page elsewhere cannot use a browser's stored credentials (clients that are
 *     not browsers send no origin and pass);</li>
 * <li>only GET, POST and, for a page of an allowed origin, OPTIONS: the browser's preflight, which carries no
 *     credentials and is answered here;</li>
 * <li>no JSONP ({@code callback}) and no notification requests ({@link BridgeRequests});</li>
 * <li>the request's method is kept for the request's thread ({@link #current}) so {@link DaxguardRestrictor}
 *     can allow operations only by POST: a GET is what a link or an image tag makes a browser send.</li>
 * </ul>
 * Jolokia runs a request on the thread that passed the gate; a thread outside a request has no method, and
 * the restrictor then allows nothing.
 */
final class BridgeGate extends Filter {
    /** The method of the request this thread serves. */
    enum Method { GET, POST, OPTIONS }

    private static final ThreadLocal<Method> CURRENT = new ThreadLocal<>();

    private final Set<String> allowedOrigins;

    BridgeGate(Set<String> allowedOrigins) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** The method of the request being served on this thread; empty outside one. */
    static Optional<Method> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        Optional<String> origin = originOf(exchange);
        if (origin.isPresent() && !allowedOrigins.contains(origin.get())) {
            refuse(exchange, 403, "origin " + origin.get() + " is not allowed (http.allowedOrigins)");
            return;
        }
        Method method;
        try {
            method = Method.valueOf(exchange.getRequestMethod().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException other) {
            refuse(exchange, 405, "method " + exchange.getRequestMethod() + " is not allowed");
            return;
        }
        if (method == Method.OPTIONS) {
            preflight(exchange, origin);
            return;
        }
        Optional<BridgeRequests.Refusal> refusal = BridgeRequests.refusal(exchange, method);
        if (refusal.isPresent()) {
            refuse(exchange, refusal.get().status(), refusal.get().why());
            return;
        }
        CURRENT.set(method);
        try {
            chain.doFilter(exchange);
        } finally {
            CURRENT.remove();
        }
    }

    /** The origin a browser names: its {@code Origin} header, else the scheme, host and port of its {@code Referer}. */
    private static Optional<String> originOf(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null) {
            return Optional.of(origin.trim());
        }
        String referer = exchange.getRequestHeaders().getFirst("Referer");
        if (referer == null) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(referer.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return Optional.of(referer.trim());
            }
            return Optional.of(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
        } catch (URISyntaxException unreadable) {
            // Nothing it could name is allowed: refused as it stands.
            return Optional.of(referer.trim());
        }
    }

    /**
     * A browser asks before it sends a page's POST with a JSON body or credentials, and sends no credentials with
     * the question: so the gate answers it, for an allowed origin, without authentication (the answer says only
     * what may be asked; the request itself is authenticated and checked like any other).
     */
    private static void preflight(HttpExchange exchange, Optional<String> origin) throws IOException {
        if (origin.isEmpty()) {
            refuse(exchange, 405, "OPTIONS is for the preflight of a page of an allowed origin");
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Origin", origin.get());
        headers.set("Access-Control-Allow-Credentials", "true");
        headers.set("Access-Control-Allow-Methods", "GET, POST");
        headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
        headers.set("Access-Control-Max-Age", "3600");
        headers.set("Vary", "Origin");
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private static void refuse(HttpExchange exchange, int status, String why) throws IOException {
        byte[] body = (why + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public String description() {
        return "daxguard: origin, method, no JSONP, no notifications";
    }
}
