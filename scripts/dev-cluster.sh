#!/usr/bin/env bash
# A local, real Kubernetes API server with the seed's prerequisites, to try the infra flow without a cluster.
#   scripts/dev-cluster.sh up     start it; prints the path of an owner kubeconfig (credentials inline)
#   scripts/dev-cluster.sh down   stop it and delete its state
# It uses ../shared/k8s (kube-apiserver + etcd + controller-manager on loopback, and a kubelet stand-in that
# binds pods and reports them Ready). Nodes node-1 and node-2 are labelled nodeID as the seed's example
# document says; Ambassador is stood in for by its Service on NodePort 32000 and its Mapping CRD; kubeadm by its
# kube-system/kubeadm-config and kube-public/cluster-info ConfigMaps.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
K8S=${AIOS_SHARED_K8S:-$HERE/../shared/k8s}
STATE=${AIOS_DEV_CLUSTER:-/tmp/aios-dev-cluster}
PORT=${AIOS_DEV_CLUSTER_PORT:-26443}
[[ -f $K8S/up.sh ]] || { echo "no $K8S/up.sh: set AIOS_SHARED_K8S" >&2; exit 2; }

case "${1:-}" in
  up)
    KC=$(bash "$K8S/up.sh" "$STATE" "$PORT" | tail -n 1)
    k() { kubectl --kubeconfig "$KC" "$@" 2>&1 | grep -v '^Warning' || true; }
    for _ in $(seq 1 60); do kubectl --kubeconfig "$KC" get sa default >/dev/null 2>&1 && break; sleep 0.5; done
    k apply -f - <<'YAML' >/dev/null
apiVersion: v1
kind: Namespace
metadata: {name: ambassador}
---
apiVersion: v1
kind: Service
metadata: {name: ambassador, namespace: ambassador}
spec:
  type: NodePort
  selector: {app: ambassador}
  ports: [{name: http, protocol: TCP, port: 80, nodePort: 32000}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: mappings.getambassador.io}
spec:
  group: getambassador.io
  scope: Namespaced
  names: {plural: mappings, singular: mapping, kind: Mapping, listKind: MappingList}
  versions:
  - name: v3alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: kubeadm-config, namespace: kube-system}
data: {ClusterConfiguration: "kubernetesVersion: v1.20.2"}
---
apiVersion: v1
kind: Node
metadata: {name: worker-1, labels: {nodeID: node-1}}
---
apiVersion: v1
kind: Node
metadata: {name: worker-2, labels: {nodeID: node-2}}
YAML
    # kube-public/cluster-info as kubeadm publishes it (the endpoint and CA a kubeadm join discovers)
    CA=$(kubectl --kubeconfig "$KC" config view --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
    SRV=$(kubectl --kubeconfig "$KC" config view --raw --flatten -o jsonpath='{.clusters[0].cluster.server}')
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: %s\n    server: %s\n  name: ""\ncontexts: null\ncurrent-context: ""\nusers: null\n' "$CA" "$SRV" > "$STATE/cluster-info.yaml"
    kubectl --kubeconfig "$KC" -n kube-public create configmap cluster-info --from-file=kubeconfig="$STATE/cluster-info.yaml" \
      --dry-run=client -o yaml | k apply -f - >/dev/null
    chmod 700 "$STATE"   # a cluster-admin credential lives here: readable by you alone
    (umask 077; kubectl --kubeconfig "$KC" config view --raw --flatten > "$STATE/owner-kubeconfig.yaml")
    if ! { [[ -f $STATE/kubelet.pid ]] && kill -0 "$(cat "$STATE/kubelet.pid")" 2>/dev/null; }; then
      nohup python3 "$K8S/fake-kubelet.py" "$KC" --seconds 86400 > "$STATE/kubelet.log" 2>&1 &
      echo $! > "$STATE/kubelet.pid"
      # the other half of a kubelet: confirm that terminating pods stopped, so namespaces can finish deleting
      nohup bash -c 'while sleep 1; do
        kubectl --kubeconfig "$0" get pods -A -o jsonpath="{range .items[?(@.metadata.deletionTimestamp)]}{.metadata.namespace} {.metadata.name}{\"\\n\"}{end}" 2>/dev/null |
          while read -r ns name; do [[ -n $name ]] && kubectl --kubeconfig "$0" -n "$ns" delete pod "$name" --grace-period=0 --force >/dev/null 2>&1; done
      done' "$KC" > /dev/null 2>&1 &
      echo $! > "$STATE/terminator.pid"
    fi
    echo "$STATE/owner-kubeconfig.yaml"
    ;;
  down)
    for p in kubelet terminator; do
      [[ -f $STATE/$p.pid ]] && kill "$(cat "$STATE/$p.pid")" 2>/dev/null || true
    done
    bash "$K8S/down.sh" "$STATE" --wipe
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
