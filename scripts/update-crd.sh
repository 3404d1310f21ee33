#!/usr/bin/env bash
# Copies the ClusterPolicy CRD that the build generates from gpuop-api's classes into the Helm chart. CrdDriftTest
# fails the build while the chart's copy differs, so run this after changing the API and commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
./mvnw -B -q -pl gpuop-api process-classes
cp gpuop-api/target/classes/META-INF/fabric8/clusterpolicies.gpuop.dev-v1.yml deploy/helm/gpuop/crds/clusterpolicies.gpuop.dev.yaml
echo "updated deploy/helm/gpuop/crds/clusterpolicies.gpuop.dev.yaml"
