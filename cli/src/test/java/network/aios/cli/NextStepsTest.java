package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An error's next step, named as the CLI command a person would type. */
class NextStepsTest {
    @Test
    void theRequestsTheControlPlaneNamesAreCliCommands() {
        assertThat(NextSteps.command("DELETE", "/api/v1/clusters/c1/infra"))
                .hasValue("aios cluster infra remove c1 --wait");
        assertThat(NextSteps.command("PUT", "/api/v1/clusters/c1/infra"))
                .hasValue("aios cluster infra create c1 --kubeconfig FILE --wait");
        assertThat(NextSteps.command("GET", "/api/v1/clusters/c1/infra"))
                .hasValue("aios cluster infra status c1 --wait");
        assertThat(NextSteps.command("GET", "/api/v1/clusters/c1/health")).hasValue("aios cluster describe c1");
        assertThat(NextSteps.command("DELETE", "/api/v1/clusters/c1?cascade=true"))
                .hasValue("aios cluster delete c1 --cascade");
        assertThat(NextSteps.command("GET", "/split-runner/r1/infra"))
                .hasValue("aios split-runner infra status r1 --wait");
        assertThat(NextSteps.command("DELETE", "/executor/e1?cascade=true"))
                .hasValue("aios executor delete e1 --cascade --wait");
        assertThat(NextSteps.command("DELETE", "/container_registry/r1?cascade=true"))
                .hasValue("aios registry delete r1 --cascade --wait");
    }

    @Test
    void pullModesJoinRequestsAreCliCommands() {
        assertThat(NextSteps.command("POST", "/api/v1/clusters/c1/join")).hasValue("aios cluster join c1");
        assertThat(NextSteps.command("GET", "/api/v1/clusters/c1/join")).hasValue("aios cluster join-status c1");
        assertThat(NextSteps.command("DELETE", "/api/v1/clusters/c1/join")).hasValue("aios cluster join-revoke c1");
        assertThat(NextSteps.command("POST", "/api/v1/clusters/c1/accept")).hasValue("aios cluster accept c1");
        assertThat(NextSteps.command("POST", "/api/v1/clusters/c1/refuse")).isEmpty(); // the reason is the admin's
    }

    @Test
    void aRequestWithoutACommandIsLeftToTheHint() {
        assertThat(NextSteps.command("POST", "/api/v1/clusters/c1/infra")).isEmpty();
        assertThat(NextSteps.command("DELETE", "/api/v1/clusters/c1/infra/extra"))
                .isEmpty();
        assertThat(NextSteps.command("GET", "/api/v1/clusters/c1?cascade=true/infra"))
                .isEmpty();
    }
}
