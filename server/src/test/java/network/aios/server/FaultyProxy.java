package network.aios.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A plain-HTTP proxy on loopback in front of the test API server that injects faults into the requests of
 * a verb (watches are never faulted): answer 503 without forwarding, drop the connection without forwarding,
 * or forward the request and then drop the connection instead of the answer (the API server did it, the
 * caller never hears: the case that makes a retry create a duplicate or miss a cleanup).
 */
public final class FaultyProxy implements AutoCloseable {
    private static final Set<String> HOP =
            Set.of("host", "connection", "content-length", "transfer-encoding", "expect", "upgrade", "keep-alive");

    private final HttpServer server;
    private final HttpClient client;
    private final String target;
    /** What the proxy does to a request instead of relaying it faithfully. */
    public enum Fault {
        /** answers 503 without forwarding */
        FAIL,
        /** closes the connection without forwarding */
        DROP,
        /** forwards, then closes the connection instead of answering */
        LOSE_ANSWER
    }

    private record Plan(AtomicInteger left, java.util.function.Predicate<String> path) {}

    private final java.util.Map<String, Plan> planned = new java.util.concurrent.ConcurrentHashMap<>();
    public final AtomicInteger injected = new AtomicInteger();
    /** The requests a fault was injected into, as {@code FAULT VERB path}, in order. */
    public final List<String> faulted = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FaultyProxy(String target) throws Exception {
        this.target = target;
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(
                null,
                new TrustManager[] {
                    new X509TrustManager() {
                        public void checkClientTrusted(X509Certificate[] c, String a) {}

                        public void checkServerTrusted(X509Certificate[] c, String a) {}

                        public X509Certificate[] getAcceptedIssuers() {
                            return new X509Certificate[0];
                        }
                    }
                },
                null);
        client = HttpClient.newBuilder()
                .sslContext(trustAll)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code n} requests of {@code verb} get {@code fault} (replacing what was planned for them). */
    public void inject(Fault fault, String verb, int n) {
        inject(fault, verb, n, path -> true);
    }

    /** As above, only for requests whose path {@code path} accepts. */
    public void inject(Fault fault, String verb, int n, java.util.function.Predicate<String> path) {
        planned.put(fault + " " + verb, new Plan(new AtomicInteger(n), path));
    }

    /** The next {@code n} writes (PATCH: server-side apply) get 503. */
    public void failWrites(int n) {
        inject(Fault.FAIL, "PATCH", n);
    }

    /** The next {@code n} writes (PATCH) are cut off before they reach the API server. */
    public void dropWrites(int n) {
        inject(Fault.DROP, "PATCH", n);
    }

    /** Takes one planned fault for this request, if any: DROP before FAIL before LOSE_ANSWER. */
    private Fault take(HttpExchange ex) {
        String query = ex.getRequestURI().getRawQuery();
        if (query != null && query.contains("watch=true")) {
            return null;
        }
        for (Fault f : Fault.values()) {
            Plan p = planned.get(f + " " + ex.getRequestMethod());
            if (p != null
                    && p.path().test(ex.getRequestURI().getPath())
                    && p.left().getAndUpdate(v -> Math.max(0, v - 1)) > 0) {
                injected.incrementAndGet();
                faulted.add(f + " " + ex.getRequestMethod() + " "
                        + ex.getRequestURI().getPath());
                return f;
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Fault fault = take(ex);
        if (fault == Fault.DROP) {
            ex.close();
            return;
        }
        if (fault == Fault.FAIL) {
            byte[] msg =
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"injected\",\"code\":503}"
                            .getBytes();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(503, msg.length);
            ex.getResponseBody().write(msg);
            ex.close();
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                .method(
                        ex.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP.contains(k.toLowerCase())) {
                vs.forEach(v -> b.header(k, v));
            }
        });
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (fault == Fault.LOSE_ANSWER) {
                return; // the API server acted; the caller hears nothing (finally closes the connection)
            }
            r.headers().map().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase()) && !k.startsWith(":")) {
                    ex.getResponseHeaders().put(k, List.copyOf(vs));
                }
            });
            ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            if (r.body().length > 0) {
                ex.getResponseBody().write(r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
