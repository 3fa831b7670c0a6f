module xcluster.dev/test/vault-hcl

go 1.22

require github.com/hashicorp/hcl v1.0.1-vault-7
