# The onboarding document's script, unchanged but for where API_URL comes from: the control plane's
# address from AIOS_SERVER (default http://127.0.0.1:8080) and its token from AIOS_TOKEN (default: the
# admin token a local server wrote to ./data/admin-token), sent as HTTP Basic auth in the URL.
import os
import json
import argparse
import requests

# Constants
DEFAULT_KUBE_CONFIG_PATH = os.path.join(os.path.expanduser("~"), ".kube", "config")
def _api_url(path):
    server = os.environ.get("AIOS_SERVER", "http://127.0.0.1:8080").rstrip("/")
    token = os.environ.get("AIOS_TOKEN")
    if not token and os.path.exists(os.path.join("data", "admin-token")):
        with open(os.path.join("data", "admin-token")) as f:
            token = f.read().strip()
    if not token:
        print("no API token: set AIOS_TOKEN (or run next to a local server's data folder)")
        exit(2)
    scheme, rest = server.split("://", 1)
    return f"{scheme}://admin:{token}@{rest}{path}"

API_URL = _api_url("/create-cluster-infra")

def read_kube_config(file_path):
    try:
        with open(file_path, "r") as f:
            return f.read()
    except Exception as e:
        print(f"Error reading Kubernetes config file: {e}")
        exit(1)

def create_cluster_infra(cluster_id, kube_config_data):
    payload = {
        "cluster_id": cluster_id,
        "kube_config_data": kube_config_data
    }

    response = requests.post(API_URL, json=payload)

    if response.status_code == 200:
        print("Cluster creation scheduled successfully:", response.json())
    else:
        print("Error creating cluster:", response.json())

def main():
    parser = argparse.ArgumentParser(description="Create Cluster Infrastructure via API")
    parser.add_argument("cluster_id", help="Cluster ID")
    parser.add_argument("--config", default=DEFAULT_KUBE_CONFIG_PATH,
                        help="Path to Kubernetes config file")

    args = parser.parse_args()
    kube_config_data = read_kube_config(args.config)
    create_cluster_infra(args.cluster_id, kube_config_data)

if __name__ == "__main__":
    main()
