// Command psa-check evaluates pod specs against a Pod Security Standards level with the Kubernetes
// Pod Security Admission library itself (k8s.io/pod-security-admission, the code the API server's
// PodSecurity admission plugin runs), so that the add-on tests check pod templates with the real rules
// instead of a re-implementation.
//
// Input (stdin): a JSON array of {"name", "level", "version", "metadata", "spec"} where spec is a PodSpec.
// Output (stdout): a JSON array of {"name", "allowed", "forbidden": ["<reason>: <detail>"]}.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type podInput struct {
	Name     string            `json:"name"`
	Level    string            `json:"level"`
	Version  string            `json:"version"`
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     corev1.PodSpec    `json:"spec"`
}

type podResult struct {
	Name      string   `json:"name"`
	Allowed   bool     `json:"allowed"`
	Forbidden []string `json:"forbidden"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "psa-check:", err)
		os.Exit(1)
	}
}

func run() error {
	var pods []podInput
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pods); err != nil {
		return fmt.Errorf("reading pods: %w", err)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return err
	}
	results := make([]podResult, 0, len(pods))
	for _, p := range pods {
		level, err := api.ParseLevel(p.Level)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		version, err := api.ParseVersion(p.Version)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		agg := policy.AggregateCheckResults(
			evaluator.EvaluatePod(api.LevelVersion{Level: level, Version: version}, &p.Metadata, &p.Spec))
		r := podResult{Name: p.Name, Allowed: agg.Allowed, Forbidden: []string{}}
		for i, reason := range agg.ForbiddenReasons {
			r.Forbidden = append(r.Forbidden, reason+": "+agg.ForbiddenDetails[i])
		}
		results = append(results, r)
	}
	return json.NewEncoder(os.Stdout).Encode(results)
}
