// Command vault-hcl checks Vault ACL policies (HCL) with the HCL v1 library Vault itself parses
// policies with (github.com/hashicorp/hcl v1.0.1-vault-7, Vault's fork), applying the structural rules
// of Vault's policy parser (hashicorp/vault vault/policy.go, parseACLPolicyWithTemplating and parsePaths):
// top-level keys `name` and `path` only; per path the keys Vault accepts; capabilities from Vault's set;
// no `+*` wildcard. It does not evaluate templating, control groups or parameter constraints (the shipped
// policies use none; a policy that does is rejected here). Reads a JSON array of {"name","hcl"} on stdin and
// writes, per policy, its paths and capabilities or the error.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl"
	"github.com/hashicorp/hcl/hcl/ast"
)

type input struct {
	Name string `json:"name"`
	HCL  string `json:"hcl"`
}

type rule struct {
	Path         string   `json:"path"`
	Capabilities []string `json:"capabilities"`
}

type result struct {
	Name  string `json:"name"`
	Rules []rule `json:"rules,omitempty"`
	Error string `json:"error,omitempty"`
}

// Keys Vault's parser accepts inside a path block. The shipped policies may use only the first three.
var pathKeys = map[string]bool{"comment": true, "policy": true, "capabilities": true}

// Vault's capabilities (vault/policy.go constants).
var capabilities = map[string]bool{
	"deny": true, "create": true, "read": true, "update": true, "delete": true,
	"list": true, "sudo": true, "patch": true, "subscribe": true,
}

func keysOf(node ast.Node) ([]string, error) {
	var list *ast.ObjectList
	switch n := node.(type) {
	case *ast.ObjectList:
		list = n
	case *ast.ObjectType:
		list = n.List
	default:
		return nil, fmt.Errorf("not an object")
	}
	var keys []string
	for _, item := range list.Items {
		if len(item.Keys) == 0 {
			return nil, fmt.Errorf("item without a key")
		}
		keys = append(keys, item.Keys[0].Token.Value().(string))
	}
	return keys, nil
}

func check(text string) ([]rule, error) {
	root, err := hcl.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("failed to parse policy: %w", err)
	}
	list, ok := root.Node.(*ast.ObjectList)
	if !ok {
		return nil, fmt.Errorf("failed to parse policy: does not contain a root object")
	}
	top, err := keysOf(list)
	if err != nil {
		return nil, err
	}
	for _, k := range top {
		if k != "name" && k != "path" {
			return nil, fmt.Errorf("invalid key %q on line %d", k, list.Pos().Line)
		}
	}
	var rules []rule
	for _, item := range list.Filter("path").Items {
		if len(item.Keys) == 0 {
			return nil, fmt.Errorf("path block without a path")
		}
		path := item.Keys[0].Token.Value().(string)
		keys, err := keysOf(item.Val)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", path, err)
		}
		for _, k := range keys {
			if !pathKeys[k] {
				return nil, fmt.Errorf("path %q: invalid key %q", path, k)
			}
		}
		var body struct {
			Capabilities []string `hcl:"capabilities"`
			Policy       string   `hcl:"policy"`
		}
		if err := hcl.DecodeObject(&body, item.Val); err != nil {
			return nil, fmt.Errorf("path %q: %w", path, err)
		}
		if strings.Contains(path, "+*") {
			return nil, fmt.Errorf("path %q: invalid use of wildcards ('+*' is forbidden)", path)
		}
		if body.Policy != "" {
			return nil, fmt.Errorf("path %q: old-style policy %q (use capabilities)", path, body.Policy)
		}
		if len(body.Capabilities) == 0 {
			return nil, fmt.Errorf("path %q: no capabilities", path)
		}
		for _, c := range body.Capabilities {
			if !capabilities[c] {
				return nil, fmt.Errorf("path %q: invalid capability %q", path, c)
			}
		}
		rules = append(rules, rule{Path: strings.TrimPrefix(path, "/"), Capabilities: body.Capabilities})
	}
	return rules, nil
}

func main() {
	var in []input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := make([]result, 0, len(in))
	for _, p := range in {
		rules, err := check(p.HCL)
		r := result{Name: p.Name, Rules: rules}
		if err != nil {
			r.Error = err.Error()
			r.Rules = nil
		}
		out = append(out, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
