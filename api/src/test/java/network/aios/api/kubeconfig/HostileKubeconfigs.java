package network.aios.api.kubeconfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/**
 * Kubeconfigs an attacker would send, each carrying a command that leaves a marker file if anything
 * runs it: plugins in plain sight, plugins hidden from a first reader by YAML features (anchors,
 * aliases, merge keys, tags, duplicate keys, second documents), file references, proxies,
 * impersonation, and encodings of them. Shared by the parser's unit test and the route-by-route IT.
 */
public final class HostileKubeconfigs {
    private HostileKubeconfigs() {}

    /** One attack: a name, and the value sent as {@code kube_config_data}. */
    public record Shape(String name, JsonNode value) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String HEAD = """
            apiVersion: v1
            kind: Config
            current-context: ctx
            clusters:
            - name: c
              cluster:
                server: https://10.0.0.1:6443
            contexts:
            - name: ctx
              context: {cluster: c, user: u}
            """;

    public static List<Shape> all(Path marker) {
        String cmd = "touch " + marker;
        String exec = "{command: /bin/sh, args: [-c, '" + cmd + "'], apiVersion: client.authentication.k8s.io/v1}";
        List<Shape> out = new ArrayList<>();
        text(out, "exec plugin", HEAD + "users:\n- name: u\n  user:\n    exec: " + exec + "\n");
        text(out, "exec behind an alias", "x: &u {exec: " + exec + "}\n" + HEAD + "users:\n- name: u\n  user: *u\n");
        text(
                out,
                "exec behind a merge key",
                "x: &u {exec: " + exec + "}\n" + HEAD + "users:\n- name: u\n  user:\n    token: t\n    <<: *u\n");
        text(
                out,
                "exec behind a !!merge tag",
                "x: &u {exec: " + exec + "}\n" + HEAD + "users:\n- name: u\n  user:\n    !!merge <<: *u\n");
        text(
                out,
                "merge key with a list",
                "a: &a {token: t}\nb: &b {exec: " + exec + "}\n" + HEAD
                        + "users:\n- name: u\n  user:\n    <<: [*a, *b]\n");
        text(out, "anchored exec in place", HEAD + "users:\n- name: u\n  user: &me\n    exec: " + exec + "\n");
        text(out, "alias as a key", "k: &k exec\n" + HEAD + "users:\n- name: u\n  user:\n    *k : " + exec + "\n");
        text(
                out,
                "auth-provider with a command",
                HEAD + "users:\n- name: u\n  user:\n    auth-provider:\n"
                        + "      name: gcp\n      config: {cmd-path: /bin/sh, cmd-args: '-c " + cmd + "'}\n");
        text(
                out,
                "exec in the user in use, listed second",
                HEAD + "users:\n- name: v\n  user: {token: t}\n- name: u\n" + "  user:\n    exec: " + exec + "\n");
        text(
                out,
                "duplicate user key, exec second",
                HEAD + "users:\n- name: u\n  user: {token: t}\n  user:\n    exec: " + exec + "\n");
        text(
                out,
                "duplicate user entry, exec second",
                HEAD + "users:\n- name: u\n  user: {token: t}\n- name: u\n" + "  user:\n    exec: " + exec + "\n");
        text(
                out,
                "two documents, exec in the second",
                HEAD + "users:\n- name: u\n  user: {token: t}\n---\n" + HEAD + "users:\n- name: u\n  user:\n    exec: "
                        + exec + "\n");
        text(out, "explicit !!map tag", HEAD + "users:\n- name: u\n  user: !!map\n    exec: " + exec + "\n");
        text(out, "local tag", HEAD + "users:\n- name: u\n  user: !exec\n    command: /bin/sh\n");
        text(
                out,
                "%TAG directive",
                "%TAG !m! tag:yaml.org,2002:\n---\n" + HEAD + "users:\n- name: u\n  user:\n"
                        + "    !m!merge <<: {exec: " + exec + "}\n");
        text(out, "escaped key spelling exec", HEAD + "users:\n- name: u\n  user:\n    \"e\\x78ec\": " + exec + "\n");
        text(
                out,
                "exec key with a zero-width space",
                HEAD + "users:\n- name: u\n  user:\n    \"exec\\u200b\": " + exec + "\n");
        text(out, "tokenFile", HEAD + "users:\n- name: u\n  user: {tokenFile: /etc/passwd}\n");
        text(
                out,
                "client-certificate path",
                HEAD + "users:\n- name: u\n  user: {client-certificate: /etc/passwd, " + "client-key: /etc/shadow}\n");
        text(
                out,
                "certificate-authority path",
                HEAD.replace(
                                "server: https://10.0.0.1:6443",
                                "server: https://10.0.0.1:6443\n    certificate-authority: /etc/passwd")
                        + "users:\n- name: u\n"
                        + "  user: {token: t}\n");
        text(
                out,
                "proxy-url",
                HEAD.replace(
                                "server: https://10.0.0.1:6443",
                                "server: https://10.0.0.1:6443\n    proxy-url: http://127.0.0.1:9")
                        + "users:\n- name: u\n  user: {token: t}\n");
        text(
                out,
                "impersonation",
                HEAD + "users:\n- name: u\n  user: {token: t, as: system:admin, as-groups: " + "[system:masters]}\n");
        text(
                out,
                "insecure-skip-tls-verify",
                HEAD.replace(
                                "server: https://10.0.0.1:6443",
                                "server: https://10.0.0.1:6443\n    insecure-skip-tls-verify: true")
                        + "users:\n- name: u\n  user: {token: t}\n");
        text(
                out,
                "file server URL",
                HEAD.replace("https://10.0.0.1:6443", "file:///etc/passwd") + "users:\n- name: u\n"
                        + "  user: {token: t}\n");
        text(
                out,
                "billion laughs",
                "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                        + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n" + HEAD
                        + "users:\n- name: u\n  user: {token: t}\n");
        text(
                out,
                "CRLF line ends",
                (HEAD + "users:\n- name: u\n  user:\n    exec: " + exec + "\n").replace("\n", "\r\n"));
        text(
                out,
                "JSON text with exec",
                "{\"apiVersion\":\"v1\",\"current-context\":\"ctx\",\"clusters\":[{\"name\":\"c\","
                        + "\"cluster\":{\"server\":\"https://10.0.0.1:6443\"}}],\"contexts\":[{\"name\":\"ctx\",\"context\":"
                        + "{\"cluster\":\"c\",\"user\":\"u\"}}],\"users\":[{\"name\":\"u\",\"user\":{\"exec\":{\"command\":"
                        + "\"/bin/sh\",\"args\":[\"-c\",\"" + cmd + "\"]}}}]}");
        String aliased = "x: &u {exec: " + exec + "}\n" + HEAD + "users:\n- name: u\n  user: *u\n";
        out.add(new Shape(
                "base64 of exec behind an alias",
                str(Base64.getEncoder().encodeToString(aliased.getBytes(StandardCharsets.UTF_8)))));
        out.add(new Shape(
                "base64 (MIME, wrapped) of an exec plugin",
                str(Base64.getMimeEncoder()
                        .encodeToString((HEAD + "users:\n- name: u\n  user:\n    exec: " + exec + "\n")
                                .getBytes(StandardCharsets.UTF_8)))));
        out.add(new Shape(
                "JSON object with exec",
                Json.parse("{\"apiVersion\":\"v1\",\"current-context\":\"ctx\","
                        + "\"clusters\":[{\"name\":\"c\",\"cluster\":{\"server\":\"https://10.0.0.1:6443\"}}],\"contexts\":"
                        + "[{\"name\":\"ctx\",\"context\":{\"cluster\":\"c\",\"user\":\"u\"}}],\"users\":[{\"name\":\"u\","
                        + "\"user\":{\"exec\":{\"command\":\"/bin/sh\",\"args\":[\"-c\",\"" + cmd + "\"]}}}]}")));
        out.add(new Shape(
                "JSON object with auth-provider",
                Json.parse("{\"current-context\":\"ctx\",\"clusters\":"
                        + "[{\"name\":\"c\",\"cluster\":{\"server\":\"https://10.0.0.1:6443\"}}],\"contexts\":[{\"name\":\"ctx\","
                        + "\"context\":{\"cluster\":\"c\",\"user\":\"u\"}}],\"users\":[{\"name\":\"u\",\"user\":{\"auth-provider\":"
                        + "{\"name\":\"oidc\",\"config\":{\"cmd-path\":\"/bin/sh\"}}}}]}")));
        out.add(new Shape(
                "JSON object with a merge key",
                Json.parse("{\"current-context\":\"ctx\",\"clusters\":"
                        + "[{\"name\":\"c\",\"cluster\":{\"server\":\"https://10.0.0.1:6443\"}}],\"contexts\":[{\"name\":\"ctx\","
                        + "\"context\":{\"cluster\":\"c\",\"user\":\"u\"}}],\"users\":[{\"name\":\"u\",\"user\":{\"<<\":"
                        + "{\"exec\":{\"command\":\"/bin/sh\"}}}}]}")));
        text(
                out,
                "deep nesting",
                HEAD + "users:\n- name: u\n  user: {token: t}\nextensions: " + "[".repeat(200) + "]".repeat(200)
                        + "\n");
        return out;
    }

    private static void text(List<Shape> out, String name, String yaml) {
        out.add(new Shape(name, str(yaml)));
    }

    private static JsonNode str(String s) {
        return Json.MAPPER.getNodeFactory().stringNode(s);
    }
}
