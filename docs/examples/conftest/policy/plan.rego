# A team's own checks on `xcluster plan --json plan.json`, run with conftest:
#   conftest test --policy docs/examples/conftest/policy plan.json
# The report's shape is plan/report.schema.json (docs/plan-report.md). conftest reads the `deny`
# (failures) and `warn` rules of package `main`; Rego v1 syntax (conftest v0.71.1 embeds OPA v1.21.1).
package main

import rego.v1

instance := "openstack:compute/instance:Instance"

# Nodes are long-lived (docs/adr/0009-long-lived-nodes.md): a change of user data or image must never
# replace a running node, so every instance ignores those inputs once it exists.
deny contains msg if {
	some cluster in input.clusters
	some r in cluster.resources
	r.type == instance
	some prop in ["userData", "imageId"]
	not prop in r.options.ignoreChanges
	msg := sprintf("%s: instance %s would be replaced when its %s changes (add it to ignoreChanges)", [cluster.name, r.name, prop])
}

# Credentials reach providers as Pulumi secrets, never as plain strings in the program.
deny contains msg if {
	some cluster in input.clusters
	some r in cluster.resources
	startswith(r.type, "pulumi:providers:")
	some key in ["applicationCredentialSecret", "password", "secretKey", "token", "kubeconfig"]
	value := r.inputs[key]
	value != "[secret]"
	msg := sprintf("%s: provider %s has %s in clear text", [cluster.name, r.name, key])
}

# The pack's own mandatory findings fail the check too, and a cluster that could not be planned.
deny contains msg if {
	some cluster in input.clusters
	some v in cluster.violations
	v.enforcement == "mandatory"
	msg := sprintf("%s: %s on %s: %s", [cluster.name, v.policy, v.resource, v.message])
}

deny contains msg if {
	some cluster in input.clusters
	cluster.error
	msg := sprintf("%s: not planned: %s", [cluster.name, cluster.error])
}

# Exceptions the environment grants are visible in review.
warn contains msg if {
	some cluster in input.clusters
	some x in cluster.policyExceptions
	msg := sprintf("%s: %s only advises until %s (%s)", [cluster.name, x.rule, x.expires, x.reason])
}
