package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddonValidatorTest {
    @Test
    void theSeedsAssetRegistryBodyIsValid() {
        assertThat(AddonValidator.validate(AddonKind.ASSET_REGISTRY, Json.parse("""
                {"asset_registry_name": "ResNet Models registry",
                 "asset_registry_metadata": {"framework": "PyTorch"},
                 "asset_registry_tags": ["image-classification"],
                 "asset_registry_public_url": "http://192.168.0.106:31700"}""")))
                .isEmpty();
    }

    @Test
    void everyProblemIsReportedAtItsField() {
        assertThat(AddonValidator.validate(AddonKind.INFERENCE_SERVER, Json.parse("""
                {"inference_server_tags": ["ok", 3], "inference_server_metadata": [],
                 "inference_server_public_url": "ftp://x", "cluster_id": "Not_A_Cluster"}""")))
                .extracting(FieldError::path)
                .containsExactly(
                        "/inference_server_name",
                        "/inference_server_public_url",
                        "/inference_server_tags/1",
                        "/inference_server_metadata",
                        "/cluster_id");
        assertThat(AddonValidator.validate(AddonKind.CONTAINER_REGISTRY, Json.parse("""
                {"container_registry_name": "r", "container_registry_public_url": "https://r.example:5000",
                 "container_registry_storage_mb": -5}""")))
                .extracting(FieldError::path)
                .containsExactly("/container_registry_storage_mb");
        assertThat(AddonValidator.validate(AddonKind.ASSET_REGISTRY, Json.parse("[]")))
                .extracting(FieldError::path)
                .containsExactly("");
    }

    @Test
    void theSeedsSplitRunnerBodyIsValidAndItsHostIsRequired() {
        assertThat(AddonValidator.validate(AddonKind.SPLIT_RUNNER, Json.parse("""
                {"split_runner_public_host": "192.168.0.106", "split_runner_metadata": {"key": "value"},
                 "split_runner_tags": ["tag1", "tag2"]}""")))
                .isEmpty();
        assertThat(AddonValidator.validate(AddonKind.SPLIT_RUNNER, Json.parse("""
                {"split_runner_public_host": "http://x/y", "split_runner_node_port": 80}""")))
                .extracting(FieldError::path)
                .containsExactly("/split_runner_public_host", "/split_runner_node_port");
    }

    @Test
    void anExecutorMayChooseItsIdButOnlyAsAKubernetesName() {
        assertThat(AddonValidator.validate(AddonKind.EXECUTOR, Json.parse("""
                {"executor_id": "executor-001", "executor_tags": ["cel"]}"""))).isEmpty();
        assertThat(AddonValidator.validate(AddonKind.EXECUTOR, Json.parse("""
                {"executor_id": "Executor_001", "executor_image": "has space", "executor_name": ""}""")))
                .extracting(FieldError::path)
                .containsExactly("/executor_name", "/executor_id", "/executor_image");
    }

    @Test
    void aDeployedAddOnsIdNamesItsServiceSoItStartsWithALetter() {
        for (AddonKind kind : java.util.List.of(AddonKind.EXECUTOR, AddonKind.SPLIT_RUNNER)) {
            String host = kind == AddonKind.SPLIT_RUNNER ? ", \"split_runner_public_host\": \"10.0.0.1\"" : "";
            assertThat(AddonValidator.validate(
                            kind, Json.parse("{\"" + kind.field("id") + "\": \"runner-001\"" + host + "}")))
                    .as(kind.wire())
                    .isEmpty();
            assertThat(AddonValidator.validate(
                            kind, Json.parse("{\"" + kind.field("id") + "\": \"1runner\"" + host + "}")))
                    .as(kind.wire())
                    .extracting(FieldError::path)
                    .containsExactly("/" + kind.field("id"));
        }
    }
}
