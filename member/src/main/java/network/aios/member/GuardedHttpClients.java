package network.aios.member;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.okhttp.OkHttpClientFactory;
import network.aios.egress.EgressGuard;
import okhttp3.OkHttpClient;

/**
 * The fabric8 HTTP client for member clusters: OkHttp with the egress guard's resolver and sockets, no
 * proxy and no redirects, applied after fabric8 has applied the configuration (so nothing in a
 * configuration can undo it).
 */
public final class GuardedHttpClients {
    private GuardedHttpClients() {}

    public static HttpClient.Factory factory(EgressGuard guard) {
        return new OkHttpClientFactory() {
            @Override
            protected void additionalConfig(OkHttpClient.Builder builder) {
                guard.apply(builder);
            }
        };
    }
}
