// Reads a cloud.conf with the parser and the calls the OpenStack cloud controller manager and Cinder CSI
// use (gopkg.in/gcfg.v1 v1.2.3, `gcfg.FatalOnly(gcfg.ReadInto(&cfg, r))`: kubernetes/cloud-provider-openstack
// v1.33.1 pkg/openstack/openstack.go line 231 and pkg/csi/cinder/openstack/openstack.go line 123), into
// the fields xcluster writes, with the gcfg tags of those files (pkg/client/client.go lines 40-73, where
// `Region` (line 55) has no tag and gcfg matches it by name; pkg/openstack/openstack.go lines 95-106;
// pkg/csi/cinder/openstack/openstack.go line 91; pkg/util/metadata/metadata.go line 73). Prints the values
// it read as JSON, so a test sees exactly what the controllers would see.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	gcfg "gopkg.in/gcfg.v1"
)

type config struct {
	Global struct {
		AuthURL                     string `gcfg:"auth-url" json:"auth-url"`
		ApplicationCredentialID     string `gcfg:"application-credential-id" json:"application-credential-id"`
		ApplicationCredentialSecret string `gcfg:"application-credential-secret" json:"application-credential-secret"`
		Region                      string `gcfg:"region" json:"region"`
	} `json:"Global"`
	LoadBalancer struct {
		Enabled    bool   `gcfg:"enabled" json:"enabled"`
		LBProvider string `gcfg:"lb-provider" json:"lb-provider"`
	} `json:"LoadBalancer"`
	BlockStorage struct {
		IgnoreVolumeAZ bool `gcfg:"ignore-volume-az" json:"ignore-volume-az"`
	} `json:"BlockStorage"`
	Metadata struct {
		SearchOrder string `gcfg:"search-order" json:"search-order"`
	} `json:"Metadata"`
}

func main() {
	var cfg config
	if err := gcfg.FatalOnly(gcfg.ReadInto(&cfg, os.Stdin)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
