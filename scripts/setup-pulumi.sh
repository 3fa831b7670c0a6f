#!/usr/bin/env bash
# Provide a real `pulumi` CLI for xcluster without downloading release binaries.
#
# Builds github.com/pulumi/pulumi/pkg/v3/cmd/pulumi (Go module proxy) plus a Node.js language host,
# into .pulumi-tools/<version>/bin, and prints that bin directory as the LAST line of stdout
# (all other messages go to stderr). Usage:
#   PATH="$(bash scripts/setup-pulumi.sh):$PATH"
# If a `pulumi` on PATH is already suitable (same major, >= PULUMI_VERSION, with pulumi-language-nodejs
# beside it or on PATH) its directory is printed instead. A cached build is reused within seconds.
#
# Why a language host of our own: upstream's pulumi-language-nodejs is its own Go module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) and the Go module proxy that
# our machines and CI reach does not serve it. The small host below is built against
# github.com/pulumi/pulumi/sdk/v3 at the CLI's version. See docs/adr/0003-pulumi-cli-from-go-modules.md.
#
# Environment:
#   XCLUSTER_HEARTBEAT_SECONDS  seconds between "still running" lines of a long build step (default 30)
#   PULUMI_VERSION             CLI version to build (default 3.248.0 = the pinned npm @pulumi/pulumi)
#   PULUMI_TOOLS_DIR           cache root (default <repo>/.pulumi-tools, gitignored)
#   PULUMI_SETUP_FORCE_BUILD=1 ignore any pulumi already on PATH
#   PULUMI_SETUP_NO_BUILD=1    never build: print a suitable or cached CLI, else fail (the engine tests use it)
#   PULUMI_BUILD_JOBS          go build -p (default 2, keeps peak memory under ~2 GiB)
#   GOMODCACHE / GOCACHE       Go's own defaults; a second machine-local run reuses them
set -euo pipefail

SETUP_NAME=setup-pulumi
# shellcheck source=scripts/lib/setup-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup-common.sh"

PULUMI_VERSION="${PULUMI_VERSION:-3.248.0}"
PULUMI_VERSION="${PULUMI_VERSION#v}"
TOOLS_DIR="${PULUMI_TOOLS_DIR:-$ROOT/.pulumi-tools}/$PULUMI_VERSION"
BIN_DIR="$TOOLS_DIR/bin"
SRC_DIR="$TOOLS_DIR/src"
export PULUMI_SKIP_UPDATE_CHECK=1

# version_ge A B: true when A >= B (semver-ish, via sort -V)
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

sdk_version="$(node -p 'require(process.argv[1]).version' "$ROOT/node_modules/@pulumi/pulumi/package.json" 2>/dev/null || true)"
if [ -n "$sdk_version" ] && [ "${sdk_version#v}" != "$PULUMI_VERSION" ]; then
  log "warning: node_modules/@pulumi/pulumi is $sdk_version but PULUMI_VERSION is $PULUMI_VERSION"
fi

# 1. A suitable pulumi already on PATH?
if [ "${PULUMI_SETUP_FORCE_BUILD:-0}" != 1 ] && existing="$(command -v pulumi 2>/dev/null)"; then
  have="$(pulumi version 2>/dev/null | head -n1 | tr -d '[:space:]')" || have=""
  have="${have#v}"
  dir="$(cd "$(dirname "$existing")" && pwd)"
  if [ -n "$have" ] && [ "${have%%.*}" = "${PULUMI_VERSION%%.*}" ] && version_ge "$have" "$PULUMI_VERSION" \
    && { [ -x "$dir/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null 2>&1; }; then
    log "using pulumi $have at $existing"
    echo "$dir"
    exit 0
  fi
  log "not using pulumi at $existing (version '${have:-unknown}'; need ${PULUMI_VERSION%%.*}.x >= $PULUMI_VERSION with pulumi-language-nodejs)"
fi

# 2. Sources of the build. The language host is kept here so this script is the single file to run.
host_source() {
  cat <<'GOEOF'
// pulumi-language-nodejs (xcluster build): a small Node.js language host for the Pulumi CLI.
//
// The upstream host lives in its own Go module that the Go module proxy reachable here does not
// serve, so xcluster builds this replacement against github.com/pulumi/pulumi/sdk/v3 (same version
// as the CLI). It implements what `pulumi preview/up/destroy`, the automation API and node policy
// packs need: Run, RunPlugin (policy packs and node plugins), GetRequiredPackages/Plugins,
// InstallDependencies, About, GetProgramDependencies, GetPluginInfo, Handshake. Code generation
// RPCs (GenerateProject/Program/Package, Pack, Template, Link) are left unimplemented.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Exit code used by @pulumi/pulumi/cmd/run when it already printed an actionable message.
const exitAfterUserMessage = 32

func main() {
	flag.String("tracing", "", "accepted for compatibility; ignored")
	flag.String("runtime", "nodejs", "accepted for compatibility; only nodejs is supported")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		cancel()
		close(cancelChannel)
	}()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{engineAddress: engineAddress})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

type nodeOptions struct {
	typescript   bool
	tsconfigpath string
	nodeargs     []string
}

func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return opts, nil
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfig option must be a string")
		}
		opts.tsconfigpath = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		opts.nodeargs = strings.Fields(s)
	}
	return opts, nil
}

func (o nodeOptions) env(env []string) []string {
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigpath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigpath)
	}
	return env
}

// resolveModule runs node's own resolution from dir, so nested and hoisted node_modules both work.
func resolveModule(nodeBin, dir, mod string) (string, error) {
	script := fmt.Sprintf("try{console.log(require.resolve(%q))}catch(e){console.error(e.message);process.exit(1)}", mod)
	cmd := exec.Command(nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("cannot resolve %s from %s (is @pulumi/pulumi installed? run npm install): %s",
				mod, dir, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func programDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return pwd
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	dir := programDir(req.GetInfo(), req.GetPwd())
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	if runPath, err = resolveModule(nodeBin, dir, runPath); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	if req.GetInfo() != nil {
		add("root-directory", req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	program := "."
	if req.GetInfo() != nil && req.GetInfo().GetEntryPoint() != "" {
		program = req.GetInfo().GetEntryPoint()
	} else if req.GetProgram() != "" {
		program = req.GetProgram()
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{} // the node SDK expects an object, never null
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secrets))
	env = opts.env(env)

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	// Wrap stdout/stderr so node's non-blocking fds never get shared with this process.
	cmd.Stdout = struct{ *os.File }{os.Stdout}
	cmd.Stderr = struct{ *os.File }{os.Stderr}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() == exitAfterUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ee.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: "Problem executing program (could not run language executor): " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	dir := programDir(req.GetInfo(), req.GetPwd())
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}
	env := opts.env(req.GetEnv())
	analyzer := req.GetKind() == "analyzer"

	mod := "@pulumi/pulumi/cmd/run-plugin"
	if analyzer {
		mod = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	runPath, err := resolveModule(nodeBin, dir, mod)
	if err != nil {
		return err
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	if analyzer {
		// run-policy-pack <engine-address> <program>
		args = append(args, req.GetArgs()...)
		args = append(args, dir)
	} else {
		args = append(args, dir)
		args = append(args, req.GetArgs()...)
	}

	var proxy *sdk.PolicyProxy
	if analyzer {
		// The engine sends stack configuration to the analyzer first; node policy packs read it from env.
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		cfg, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if cfg != nil {
			set := func(k, v string) {
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			set("PULUMI_NODEJS_ORGANIZATION", cfg.GetOrganization())
			set("PULUMI_NODEJS_PROJECT", cfg.GetProject())
			set("PULUMI_NODEJS_STACK", cfg.GetStack())
			set("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(cfg.GetDryRun()))
			if cfg.GetConfig() != nil {
				b, err := json.Marshal(cfg.GetConfig())
				if err != nil {
					return err
				}
				set("PULUMI_CONFIG", string(b))
			}
		}
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	if analyzer {
		// Node policy packs always ran with the pack directory as working directory (PolicyPack reads ./package.json).
		cmd.Dir = dir
	} else {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start node: %w", err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd)
	} else {
		err = cmd.Wait()
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("Program exited with non-zero exit code: %d", ee.ExitCode())
		}
		return err
	}
	return closer.Close()
}

// pulumiPackages lists installed npm packages marked as Pulumi resource packages
// ("pulumi": {"resource": true}), from the nearest node_modules at or above dir.
func pulumiPackages(dir string) []*pulumirpc.PackageDependency {
	var nm string
	for d := dir; ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, "node_modules")); err == nil && st.IsDir() {
			nm = filepath.Join(d, "node_modules")
			break
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
	var pkgDirs []string
	entries, _ := os.ReadDir(nm)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "@") {
			sub, _ := os.ReadDir(filepath.Join(nm, e.Name()))
			for _, s := range sub {
				pkgDirs = append(pkgDirs, filepath.Join(nm, e.Name(), s.Name()))
			}
		} else if !strings.HasPrefix(e.Name(), ".") {
			pkgDirs = append(pkgDirs, filepath.Join(nm, e.Name()))
		}
	}
	seen := map[string]bool{}
	var out []*pulumirpc.PackageDependency
	for _, p := range pkgDirs {
		b, err := os.ReadFile(filepath.Join(p, "package.json"))
		if err != nil {
			continue
		}
		var pj struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Pulumi  struct {
				Resource bool   `json:"resource"`
				Name     string `json:"name"`
				Version  string `json:"version"`
				Server   string `json:"server"`
			} `json:"pulumi"`
		}
		if json.Unmarshal(b, &pj) != nil || !pj.Pulumi.Resource {
			continue
		}
		name := pj.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(pj.Name, "@pulumi/")
		}
		v := pj.Pulumi.Version
		if v == "" {
			v = pj.Version
		}
		if v != "" && !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		if seen[name+v] {
			continue
		}
		seen[name+v] = true
		out = append(out, &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: v, Server: pj.Pulumi.Server})
	}
	return out
}

func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pulumiPackages(programDir(req.GetInfo(), ""))}, nil
}

func (h *host) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	var plugins []*pulumirpc.PluginDependency
	for _, p := range pulumiPackages(programDir(req.GetInfo(), req.GetPwd())) {
		plugins = append(plugins, &pulumirpc.PluginDependency{Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	dir := programDir(req.GetInfo(), req.GetDirectory())
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		return closer.Close()
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("could not find npm on the $PATH: %w", err)
	}
	fmt.Fprintln(stdout, "Installing dependencies with npm install...")
	cmd := exec.CommandContext(server.Context(), npm, "install")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install failed: %w", err)
	}
	return closer.Close()
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: nodeBin, Version: strings.TrimSpace(string(out))}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	var pj struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &pj); err != nil {
		return nil, err
	}
	nodeBin, _ := exec.LookPath("node")
	var deps []*pulumirpc.DependencyInfo
	for name, want := range pj.Dependencies {
		v := want
		if nodeBin != "" {
			if p, err := resolveModule(nodeBin, dir, name+"/package.json"); err == nil {
				if pb, err := os.ReadFile(p); err == nil {
					var dep struct {
						Version string `json:"version"`
					}
					if json.Unmarshal(pb, &dep) == nil && dep.Version != "" {
						v = dep.Version
					}
				}
			}
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
GOEOF
}

go_mod() {
  cat <<GOMOD
module xcluster.invalid/pulumi-tools

go 1.25.11

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

// Copied from pkg/v3's own go.mod (its other replace, sdk/v3 => ../sdk, is the monorepo
// layout and is satisfied here by requiring sdk/v3 at the same version).
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
GOMOD
}

command -v go >/dev/null 2>&1 || die "go is required to build pulumi (Go >= 1.25)"
stamp_want="pulumi=$PULUMI_VERSION $(go env GOVERSION) $( { go_mod; host_source; } | sha256sum | cut -c1-16)"

cached() {
  [ -x "$BIN_DIR/pulumi" ] && [ -x "$BIN_DIR/pulumi-language-nodejs" ] && [ -x "$BIN_DIR/pulumi-resource-pulumi-nodejs" ] \
    && stamp_is "$TOOLS_DIR/.stamp" "$stamp_want" \
    && [ "$("$BIN_DIR/pulumi" version 2>/dev/null | tr -d '[:space:]')" = "v$PULUMI_VERSION" ]
}

# 3. Cached build?
if cached; then
  log "cached pulumi v$PULUMI_VERSION in $BIN_DIR"
  echo "$BIN_DIR"
  exit 0
fi

[ "${PULUMI_SETUP_NO_BUILD:-0}" != 1 ] || die "no up-to-date build in $BIN_DIR and PULUMI_SETUP_NO_BUILD=1; run: npm run setup:pulumi"

lock_cache "$TOOLS_DIR"
if cached; then echo "$BIN_DIR"; exit 0; fi # another run finished the build meanwhile

# 4. Build (module download + compile; about 7-8 minutes cold on 2 cores, seconds when GOCACHE is warm).
log "building pulumi v$PULUMI_VERSION from Go modules into $BIN_DIR (cold: several minutes)"
mkdir -p "$SRC_DIR/cmd/pulumi-language-nodejs"
go_mod >"$SRC_DIR/go.mod"
host_source >"$SRC_DIR/cmd/pulumi-language-nodejs/main.go"

go_build_env "$TOOLS_DIR" "${PULUMI_BUILD_JOBS:-2}"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
out="$TOOLS_DIR/bin.tmp"
rm -rf "$out"
mkdir -p "$out"
cd "$SRC_DIR"
# One go build: it downloads the modules it needs (cold: most of the time), then compiles both binaries.
heartbeat "downloading Go modules and compiling pulumi and the language host" \
  go build -trimpath -ldflags "$ldflags" -o "$out/" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./cmd/pulumi-language-nodejs
# Dynamic providers: the shell script the release tarball ships beside the binary, from the sdk module.
sdk_dir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$out/"
cd "$ROOT"
got="$("$out/pulumi" version | tr -d '[:space:]')"
[ "$got" = "v$PULUMI_VERSION" ] || die "built pulumi reports '$got', expected v$PULUMI_VERSION"
rm -rf "$BIN_DIR"
mv "$out" "$BIN_DIR"
echo "$stamp_want" >"$TOOLS_DIR/.stamp"
log "done; use: export PATH=\"$BIN_DIR:\$PATH\" PULUMI_SKIP_UPDATE_CHECK=1"
echo "$BIN_DIR"
