package network.aios.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/** `aios server` in a JVM of its own on this machine, and plain HTTP calls to it (tests that kill or flood it). */
final class LocalApi {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalApi() {}

    /** An answer: status (-1: no answer), body as JSON (null when empty), and how long it took. */
    record Reply(int status, JsonNode body, long millis) {}

    /**
     * `aios server` on {@code data} and {@code port}, loopback allowed as an egress destination (the test
     * cluster), with {@code jvm} flags and more server {@code args}; its output goes to a log beside {@code data}.
     */
    static Process server(Path data, int port, List<String> jvm, String... args) throws IOException {
        return server(data, port, java.util.Map.of(), jvm, args);
    }

    /** As above, with {@code env} added to its environment. */
    static Process server(Path data, int port, java.util.Map<String, String> env, List<String> jvm, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")); // the test's, not /tmp
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "network.aios.cli.Aios", "server"));
        cmd.addAll(List.of("--data-dir", data.toString(), "--port", Integer.toString(port)));
        cmd.addAll(List.of("--egress-allow", "127.0.0.0/8"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb.redirectErrorStream(true)
                .redirectOutput(data.resolveSibling(data.getFileName() + "-" + System.nanoTime() + ".log")
                        .toFile())
                .start();
    }

    static Reply send(int port, String method, String path, String token, String body) {
        long start = System.nanoTime();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(120))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json");
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode parsed = r.body().length == 0 ? null : Json.MAPPER.readTree(r.body());
            return new Reply(r.statusCode(), parsed, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            return new Reply(-1, null, (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, null, 0);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
