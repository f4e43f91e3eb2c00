package io.daxguard.agent.remote;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the {@link BridgeGate} refuses in a request's content, before Jolokia parses it:
 * <ul>
 * <li>a {@code callback} parameter: Jolokia would answer as JSONP, a script a page elsewhere may include
 *     ({@code <script src>} sends the browser's stored credentials and, with {@code referrerpolicy="no-referrer"},
 *     no origin) and so read the answer;</li>
 * <li>a notification request (GET {@code .../notification/...}, also through the {@code p} parameter, or a POST
 *     body whose request, or any request of a bulk array, has type {@code notification}): Jolokia never asks the
 *     restrictor about them, so they would reach MBeans the bridge hides. Notifications are JMX's only.</li>
 * </ul>
 * A POST body is read whole (at most {@value #MAX_BODY} bytes) and handed on to Jolokia unchanged. A body this
 * strict parser cannot read (malformed, trailing content, a key twice) is refused, never passed on: what Jolokia's
 * parser might make of it is not checked.
 */
final class BridgeRequests {
    static final int MAX_BODY = 1 << 20;
    private static final String NOTIFICATION = "notification";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Why a request is refused: its HTTP status and a message for the client. */
    record Refusal(int status, String why) {
    }

    private BridgeRequests() {
    }

    /** Why {@code exchange} must not reach Jolokia; empty when it may (its body, if read, is put back). */
    static Optional<Refusal> refusal(HttpExchange exchange, BridgeGate.Method method) throws IOException {
        List<String[]> parameters;
        try {
            parameters = parameters(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException unreadable) {
            return Optional.of(new Refusal(400, "the query string cannot be decoded: " + unreadable.getMessage()));
        }
        for (String[] parameter : parameters) {
            if (parameter[0].equalsIgnoreCase("callback")) {
                return Optional.of(new Refusal(403, "JSONP (the callback parameter) is not served: a page elsewhere"
                        + " could include the answer as a script"));
            }
        }
        String path = parameters.stream().filter(p -> p[0].equals("p")).map(p -> p[1]).findFirst()
                .orElseGet(() -> pathAfterContext(exchange));
        if (firstSegment(path).equalsIgnoreCase(NOTIFICATION)) {
            return Optional.of(notifications());
        }
        return method == BridgeGate.Method.POST ? refusalOfBody(exchange) : Optional.empty();
    }

    private static Refusal notifications() {
        return new Refusal(403, "notification requests are not served over HTTP; receive notifications over remote JMX");
    }

    private static Optional<Refusal> refusalOfBody(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            return Optional.of(new Refusal(413, "a request body may have at most " + MAX_BODY + " bytes"));
        }
        exchange.setStreams(new ByteArrayInputStream(body), null);
        if (body.length == 0) {
            return Optional.empty();
        }
        JsonNode requests;
        try {
            requests = JSON.readTree(body);
        } catch (JsonProcessingException unreadable) {
            return Optional.of(new Refusal(400, "the request body is not one JSON request or array of requests: "
                    + unreadable.getOriginalMessage()));
        }
        return asksForNotifications(requests) ? Optional.of(notifications()) : Optional.empty();
    }

    /** A request of type notification, alone or anywhere in a (bulk) array. */
    private static boolean asksForNotifications(JsonNode node) {
        if (node == null) {
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (asksForNotifications(element)) {
                    return true;
                }
            }
            return false;
        }
        JsonNode type = node.get("type");
        return type != null && type.asText("").trim().equalsIgnoreCase(NOTIFICATION);
    }

    private static String pathAfterContext(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        String context = exchange.getHttpContext().getPath();
        return path != null && path.startsWith(context) ? path.substring(context.length()) : String.valueOf(path);
    }

    private static String firstSegment(String path) {
        String rest = path.replaceFirst("^/+", "");
        int end = rest.indexOf('/');
        return (end < 0 ? rest : rest.substring(0, end)).trim();
    }

    /** Name and value of each query parameter, decoded. */
    private static List<String[]> parameters(String rawQuery) {
        List<String[]> parameters = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.add(new String[] {decode(name).trim().toLowerCase(Locale.ROOT), decode(value)});
        }
        return parameters;
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }
}
