package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.ClusterDocument;
import network.aios.api.Json;
import network.aios.member.desired.AgentSecrets;
import network.aios.member.desired.DesiredState;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.InfraSettings;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RBAC the control plane renders, applied to a real API server, asked row by row what each identity
 * may do (SubjectAccessReview), and compared with the table in docs/RBAC.md: the page is the contract.
 */
class AgentRbacIT {
    static final String CLUSTER = "rbac-check";
    static KubeTestCluster kube;

    @BeforeAll
    static void apply() {
        kube = KubeTestCluster.shared();
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        HasMetadata ns = kube.admin.resource(DesiredState.namespace(CLUSTER)).serverSideApply();
        for (HasMetadata o : DesiredState.bootstrap(CLUSTER, ns.getMetadata().getUid(), true)) {
            kube.admin.resource(o).serverSideApply();
        }
        ClusterDocument doc = ClusterDocument.of(new network.aios.api.ClusterValidator()
                .validate(Json.parse(TestServer.seedWithId(CLUSTER)))
                .document());
        for (HasMetadata o :
                DesiredState.services(doc, InfraSettings.defaults("http://cp:8080"), AgentSecrets.placeholder())) {
            if (o instanceof ServiceAccount) {
                kube.admin.resource(o).serverSideApply();
            }
        }
    }

    @AfterAll
    static void remove() {
        kube.admin.namespaces().withName(InfraNames.NAMESPACE).delete();
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
    }

    record Row(String verb, String resource, String namespace, String name, List<String> expected) {}

    static List<String> identities;

    static List<Row> table() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "RBAC.md"))) {
            if (!line.startsWith("| ") || line.startsWith("|---")) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (String c : line.substring(1, line.length() - 1).split("\\|")) {
                cells.add(c.trim());
            }
            if (cells.get(0).equals("verb")) {
                identities = cells.subList(4, cells.size());
                continue;
            }
            rows.add(new Row(cells.get(0), cells.get(1), cells.get(2), cells.get(3), cells.subList(4, cells.size())));
        }
        return rows;
    }

    @Test
    void everyIdentityMayDoExactlyWhatTheDocsSay() throws Exception {
        List<Row> rows = table();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(20);
        assertThat(identities).contains("aios-control-plane", "aios-agent-mgmt");
        List<String> wrong = new ArrayList<>();
        for (Row r : rows) {
            for (int i = 0; i < identities.size(); i++) {
                boolean expected = r.expected().get(i).equals("yes");
                boolean actual = allowed(identities.get(i), r);
                if (expected != actual) {
                    wrong.add(identities.get(i) + " " + r.verb() + " " + r.resource() + " in " + r.namespace() + " "
                            + r.name() + ": docs say " + (expected ? "yes" : "no") + ", the API server says "
                            + (actual ? "yes" : "no"));
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    static boolean allowed(String serviceAccount, Row r) {
        String resource = r.resource();
        String sub = null;
        String group = "";
        if (resource.contains("/")) {
            sub = resource.substring(resource.indexOf('/') + 1);
            resource = resource.substring(0, resource.indexOf('/'));
        }
        if (resource.contains(".")) {
            group = resource.substring(resource.indexOf('.') + 1);
            resource = resource.substring(0, resource.indexOf('.'));
        }
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser("system:serviceaccount:" + InfraNames.NAMESPACE + ":" + serviceAccount)
                .withGroups(
                        "system:serviceaccounts",
                        "system:serviceaccounts:" + InfraNames.NAMESPACE,
                        "system:authenticated")
                .withNewResourceAttributes()
                .withVerb(r.verb())
                .withGroup(group)
                .withResource(resource)
                .withSubresource(sub)
                .withNamespace(r.namespace().equals("*") ? null : r.namespace())
                .withName(r.name().equals("-") ? null : r.name())
                .endResourceAttributes()
                .endSpec()
                .build();
        return Boolean.TRUE.equals(kube.admin
                .authorization()
                .v1()
                .subjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed());
    }
}
