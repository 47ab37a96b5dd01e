package network.aios.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import network.aios.api.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The control plane's HTTP API as the CLI uses it. Errors carry the server's field paths. */
public final class ApiClient {
    private final String base;
    private final String token;
    private final HttpClient http;

    public ApiClient(String base, String token) {
        this(base, token, null);
    }

    /** {@code caPem}: trust exactly these certificates for an https server (null: the JDK's default trust). */
    public ApiClient(String base, String token, String caPem) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (caPem != null) {
            b.sslContext(network.aios.api.Pem.trusting(caPem));
        }
        this.http = b.build();
    }

    /** A non-2xx answer, rendered as "error <status> <code>: message" plus one line per field. */
    public static final class ApiError extends RuntimeException {
        private final int status;
        private final JsonNode body;

        ApiError(int status, JsonNode body) {
            super("HTTP " + status);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String render() {
            JsonNode e = body == null ? null : body.get("error");
            if (e == null) {
                return "error: HTTP " + status;
            }
            StringBuilder sb = new StringBuilder("error ")
                    .append(status)
                    .append(' ')
                    .append(e.path("code").asString(""))
                    .append(": ")
                    .append(e.path("message").asString(""));
            for (JsonNode d : e.path("details")) {
                String path = d.path("path").asString("");
                sb.append("\n  ")
                        .append(path.isEmpty() ? "(document)" : path)
                        .append(": ")
                        .append(d.path("message").asString(""));
            }
            JsonNode next = e.path("next");
            Optional<String> command = next.isObject()
                    ? NextSteps.command(
                            next.path("method").asString(""), next.path("path").asString(""))
                    : Optional.empty();
            if (command.isPresent()) {
                sb.append("\n  next: ").append(command.get());
            } else if (e.hasNonNull("hint")) {
                sb.append("\n  hint: ").append(e.get("hint").asString());
            } else if (status == 401) {
                sb.append("\n  hint: the token is missing, wrong or revoked: give --token or set AIOS_TOKEN");
            } else if (status == 404 && "not_found".equals(e.path("code").asString(""))) {
                sb.append("\n  hint: `aios cluster list` (or the add-on's list command) shows what you can see");
            }
            return sb.toString();
        }
    }

    public JsonNode get(String path) {
        return send("GET", path, null, null);
    }

    /** GET, with a 404 as empty: for checking that something is gone. */
    public Optional<JsonNode> find(String path) {
        try {
            return Optional.of(get(path));
        } catch (ApiError e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public JsonNode post(String path, byte[] body) {
        return send("POST", path, body, null);
    }

    public JsonNode put(String path, byte[] body) {
        return send("PUT", path, body, null);
    }

    /** PUT with {@code If-Match} (a version), as updates of versioned resources need. */
    public JsonNode put(String path, byte[] body, long ifMatch) {
        return send("PUT", path, body, Long.toString(ifMatch));
    }

    public JsonNode patch(String path, byte[] body) {
        return send("PATCH", path, body, null);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null, null);
    }

    public JsonNode delete(String path, byte[] body) {
        return send("DELETE", path, body, null);
    }

    /** A non-JSON answer (e.g. rendered manifests) as text. */
    public String getText(String path) {
        HttpResponse<byte[]> r = exchange(request("GET", path, null, null));
        if (r.statusCode() / 100 != 2) {
            JsonNode body = null;
            try {
                body = Json.MAPPER.readTree(r.body());
            } catch (JacksonException ignored) {
                // not our error shape; the status says enough
            }
            throw new ApiError(r.statusCode(), body);
        }
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private String requireToken() {
        if (token == null) {
            throw new CliException(
                    "no API token: pass --token, set AIOS_TOKEN, or run next to a local server's "
                            + "data folder (data/admin-token)",
                    2);
        }
        return token;
    }

    /** Appends {@code &k=v} (encoded) to a query being built, when {@code v} is given. */
    static void param(StringBuilder q, String k, Object v) {
        if (v != null) {
            q.append('&').append(k).append('=').append(enc(v.toString()));
        }
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest request(String method, String path, byte[] body, String ifMatch) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + requireToken())
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return b.build();
    }

    /** A connection that failed because the host name does not resolve (not because nothing listens). */
    static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /** A TLS failure because the certificate does not name the host (it may well be trusted). */
    static boolean nameMismatch(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof java.security.cert.CertificateException
                    && m != null
                    && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
                return true;
            }
        }
        return false;
    }

    /** Sends; transport failures become messages a user can act on. */
    private HttpResponse<byte[]> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            if (unresolved(e)) {
                throw new CliException(
                        "cannot resolve the control plane's host name in " + base
                                + ": check --server (or AIOS_SERVER, or server: in the config file)",
                        3);
            }
            throw new CliException(
                    "cannot reach the control plane at " + base + ": is `aios server` running there? (another "
                            + "server: --server URL, or AIOS_SERVER, or server: in ~/.config/aios/config.yaml)",
                    3);
        } catch (javax.net.ssl.SSLHandshakeException e) {
            if (nameMismatch(e)) {
                throw new CliException(
                        "the control plane's certificate does not name the host in " + base
                                + ": reach it by a name its certificate has (--server), or give the certificate that"
                                + " name (subjectAltName)",
                        3);
            }
            throw new CliException(
                    "the control plane at " + base + " presented a certificate this client does not "
                            + "trust; pass its CA with --cacert (or AIOS_CACERT, or cacert: in the config file)",
                    3);
        } catch (IOException e) {
            throw new CliException("request to " + base + " failed: " + e.getMessage(), 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", 3);
        }
    }

    private JsonNode send(String method, String path, byte[] body, String ifMatch) {
        HttpResponse<byte[]> r = exchange(request(method, path, body, ifMatch));
        JsonNode parsed = null;
        if (r.body().length > 0) {
            try {
                parsed = Json.MAPPER.readTree(r.body());
            } catch (JacksonException e) {
                throw new CliException(
                        "the server answered HTTP " + r.statusCode() + " with a body that is not JSON", 3);
            }
        }
        if (r.statusCode() / 100 != 2) {
            throw new ApiError(r.statusCode(), parsed);
        }
        return parsed;
    }
}
