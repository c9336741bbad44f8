// Package deploy_test checks the Kubernetes manifests and the Helm chart under deploy/ against
// what a team deployment needs and against the binary's own settings, so a renamed flag or a
// dropped probe fails here rather than in a cluster.
package deploy_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/etlworks/etlworks-mcp/config"
)

// object is the part of a Kubernetes object the checks read.
type object struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas *int           `yaml:"replicas"`
		Selector map[string]any `yaml:"selector"`
		Ports    []servicePort  `yaml:"ports"`
		Affinity string         `yaml:"sessionAffinity"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				SecurityContext struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
				} `yaml:"securityContext"`
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type servicePort struct {
	Name       string `yaml:"name"`
	TargetPort string `yaml:"targetPort"`
}

type container struct {
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string `yaml:"name"`
		ValueFrom struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports     []containerPort `yaml:"ports"`
	Readiness *probe          `yaml:"readinessProbe"`
	Liveness  *probe          `yaml:"livenessProbe"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	} `yaml:"securityContext"`
}

type containerPort struct {
	Name string `yaml:"name"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

// decodeAll reads every document of a YAML stream.
func decodeAll(t *testing.T, r io.Reader) []object {
	t.Helper()
	dec := yaml.NewDecoder(r)
	var out []object
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("not YAML: %v", err)
		}
		if o.Kind != "" {
			out = append(out, o)
		}
	}
}

// checkTeamDeployment checks what issue "a shared, remote MCP server for a team" asks of a
// deployment: two or more replicas, probes on /healthz, the confirm key from a Secret, forward
// auth (unless wantAuth says otherwise) with TLS handled, non-root and a read-only root, bounded
// resources, a Service with client-address affinity routing to the pods; and that every flag
// and variable given is one the binary knows.
func checkTeamDeployment(t *testing.T, objs []object, wantAuth string) {
	t.Helper()
	var dep, svc *object
	for i := range objs {
		switch objs[i].Kind {
		case "Deployment":
			dep = &objs[i]
		case "Service":
			svc = &objs[i]
		}
	}
	if dep == nil || svc == nil {
		t.Fatalf("want a Deployment and a Service, got %d objects", len(objs))
	}
	if r := dep.Spec.Replicas; r == nil || *r < 2 {
		t.Errorf("Deployment replicas %s, want 2 or more", fmtInt(r))
	}
	if !dep.Spec.Template.Spec.SecurityContext.RunAsNonRoot {
		t.Error("pod securityContext lacks runAsNonRoot")
	}
	if len(dep.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(dep.Spec.Template.Spec.Containers))
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if !strings.HasPrefix(c.Image, "ghcr.io/etlworks/etlworks-mcp:") {
		t.Errorf("image %q is not the project's image", c.Image)
	}
	for name, p := range map[string]*probe{"readiness": c.Readiness, "liveness": c.Liveness} {
		if p == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port != "http" {
			t.Errorf("%s probe %+v, want GET /healthz on the http port", name, p)
		}
	}
	if len(c.Resources.Requests) == 0 || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources %+v: want requests and a memory limit", c.Resources)
	}
	if sc := c.SecurityContext; !sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("container securityContext %+v: want a read-only root and no privilege escalation", sc)
	}

	flags, envs := knownSettings()
	args := map[string]string{}
	for _, a := range c.Args {
		name, value, _ := strings.Cut(a, "=")
		if !flags[name] {
			t.Errorf("argument %q: the binary has no flag %s", a, name)
		}
		args[name] = value
	}
	if args["--http-auth"] != wantAuth {
		t.Errorf("--http-auth=%q, want %s", args["--http-auth"], wantAuth)
	}
	_, proxy := args["--behind-tls-proxy"]
	if _, cert := args["--tls-cert"]; !proxy && !cert {
		t.Error("neither --behind-tls-proxy nor --tls-cert: the server refuses keys in clear text")
	}
	if _, ok := args["--allow-remote"]; !ok || !strings.HasPrefix(args["--http"], "0.0.0.0:") {
		t.Errorf("--http=%q: a pod must listen on all addresses, with --allow-remote", args["--http"])
	}
	fromSecret := map[string]bool{}
	for _, e := range c.Env {
		if !envs[e.Name] && e.Name != "GOMEMLIMIT" {
			t.Errorf("variable %s: the binary reads no such setting", e.Name)
		}
		if e.ValueFrom.SecretKeyRef != nil {
			fromSecret[e.Name] = true
		}
	}
	if !fromSecret["ETLWORKS_MCP_CONFIRM_KEY"] {
		t.Error("ETLWORKS_MCP_CONFIRM_KEY does not come from a Secret: replicas must share it")
	}
	if wantAuth == config.HTTPAuthToken && !fromSecret["ETLWORKS_MCP_TOKEN"] {
		t.Error("token mode without ETLWORKS_MCP_TOKEN from a Secret")
	}

	if svc.Spec.Affinity != "ClientIP" {
		t.Errorf("Service sessionAffinity %q, want ClientIP (legacy sessions live in one replica)", svc.Spec.Affinity)
	}
	for k, v := range svc.Spec.Selector {
		if dep.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("Service selects %s=%v, which the pods do not carry", k, v)
		}
	}
	if len(svc.Spec.Ports) == 0 || !slices.Contains(c.Ports, containerPort{Name: svc.Spec.Ports[0].TargetPort}) {
		t.Errorf("Service ports %+v do not target a container port", svc.Spec.Ports)
	}
}

// fmtInt shows an optional number.
func fmtInt(p *int) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(*p)
}

// knownSettings are the binary's flags and environment variables.
func knownSettings() (flags, envs map[string]bool) {
	flags, envs = map[string]bool{}, map[string]bool{}
	for _, s := range config.Settings() {
		flags[s.Flag] = s.Flag != ""
		envs[s.Env], envs[s.EnvFile] = s.Env != "", s.EnvFile != ""
	}
	return flags, envs
}

func TestKubernetesManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var objs []object
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, decodeAll(t, bytes.NewReader(b))...)
	}
	checkTeamDeployment(t, objs, config.HTTPAuthForward)

	// kubectl apply -k applies what kustomization.yaml lists: every manifest beside it.
	b, err := os.ReadFile(filepath.Join("kubernetes", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name := filepath.Base(f); name != "kustomization.yaml" && !slices.Contains(k.Resources, name) {
			t.Errorf("kustomization.yaml does not list %s", name)
		}
	}
}

// TestHelmChart renders the chart with helm when it is installed (go install
// helm.sh/helm/v3/cmd/helm@latest): the defaults and token mode pass the same checks as the
// plain manifests, and a mode the server would refuse fails at render time.
func TestHelmChart(t *testing.T) {
	helm, err := exec.LookPath("helm")
	if err != nil {
		t.Skip("helm is not installed: go install helm.sh/helm/v3/cmd/helm@latest")
	}
	chart := filepath.Join("helm", "etlworks-mcp")
	if out, err := exec.Command(helm, "lint", "--strict", chart).CombinedOutput(); err != nil {
		t.Fatalf("helm lint: %v\n%s", err, out)
	}
	render := func(set ...string) ([]byte, error) {
		args := []string{"template", "team", chart}
		for _, s := range set {
			args = append(args, "--set", s)
		}
		return exec.Command(helm, args...).CombinedOutput()
	}
	for _, tc := range []struct {
		auth string
		set  []string
	}{
		{config.HTTPAuthForward, nil},
		{config.HTTPAuthForward, []string{"tls.behindProxy=false", "tls.secretName=mcp-tls", "ingress.enabled=true", "ingress.host=mcp.test"}},
		{config.HTTPAuthToken, []string{"auth.mode=token", "etlworks.apiKey=server-key"}},
	} {
		out, err := render(tc.set...)
		if err != nil {
			t.Fatalf("helm template %v: %v\n%s", tc.set, err, out)
		}
		checkTeamDeployment(t, decodeAll(t, bytes.NewReader(out)), tc.auth)
	}
	for set, want := range map[string]string{
		"auth.mode=none":        "use forward",
		"tls.behindProxy=false": "clear text",
		"auth.mode=token":       "set etlworks.apiKey",
	} {
		if out, err := render(set); err == nil || !strings.Contains(string(out), want) {
			t.Errorf("helm template --set %s: %v, want a refusal saying %q:\n%.500s", set, err, want, out)
		}
	}
}
