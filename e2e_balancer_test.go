package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// balancer is a real load balancer (HAProxy, or nginx when HAProxy is absent) started by a test
// in front of server replicas, the way a team deploys them.
type balancer struct {
	// Kind is "haproxy" or "nginx".
	Kind string
	// URL is the balancer's MCP endpoint, http://127.0.0.1:PORT/mcp.
	URL string
	// StickySessions reports whether legacy sessions are routed by Mcp-Session-Id. HAProxy
	// learns the id from the initialize answer; nginx open source cannot (hashing the request
	// header sends a session to whichever replica the hash picks, not the one that issued it:
	// learning a response header is an NGINX Plus feature; tried: the request after initialize
	// gets 404).
	StickySessions bool
}

// balancerKind is a load balancer found on this machine.
type balancerKind struct {
	name, path string // "haproxy" or "nginx", and its executable
}

// findBalancer looks for HAProxy (preferred) or nginx, and skips the test when neither is
// installed; E2E_BALANCER=nginx (or haproxy) picks one.
func findBalancer(t *testing.T) balancerKind {
	t.Helper()
	want := os.Getenv("E2E_BALANCER")
	for _, name := range []string{"haproxy", "nginx"} {
		if path, err := exec.LookPath(name); err == nil && (want == "" || want == name) {
			return balancerKind{name: name, path: path}
		}
	}
	t.Skip("no load balancer: this test starts HAProxy (or nginx) in front of three replicas; " +
		"install one with `apt-get install haproxy` (or `apt-get install nginx`)")
	return balancerKind{}
}

// startBalancer starts the balancer on a random loopback port in front of backends (host:port
// of each replica) and waits until it forwards /healthz. The process ends with the test.
func startBalancer(t *testing.T, kind balancerKind, backends []string) *balancer {
	t.Helper()
	dir := t.TempDir()
	listen := freeLoopbackAddr(t)
	b := &balancer{Kind: kind.name, URL: "http://" + listen + "/mcp"}
	var cmd *exec.Cmd
	switch kind.name {
	case "haproxy":
		cfg := filepath.Join(dir, "haproxy.cfg")
		writeFile(t, cfg, haproxyConfig(listen, backends))
		if out, err := exec.Command(kind.path, "-c", "-f", cfg).CombinedOutput(); err != nil {
			t.Fatalf("haproxy rejects the generated configuration: %v\n%s", err, out)
		}
		b.StickySessions = true
		cmd = exec.Command(kind.path, "-db", "-f", cfg) // -db: foreground, no daemon
	default:
		cfg := filepath.Join(dir, "nginx.conf")
		writeFile(t, cfg, nginxConfig(listen, backends, dir))
		if out, err := exec.Command(kind.path, "-t", "-p", dir, "-c", cfg).CombinedOutput(); err != nil {
			t.Fatalf("nginx rejects the generated configuration: %v\n%s", err, out)
		}
		cmd = exec.Command(kind.path, "-p", dir, "-c", cfg)
	}
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.WaitDelay = 5 * time.Second // a stray child holding the output pipes cannot hang the cleanup
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", b.Kind, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	health := strings.TrimSuffix(b.URL, "/mcp") + "/healthz"
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("%s exited at start: %v\n%s", b.Kind, err, logs.String())
		default:
		}
		if resp, err := http.Get(health); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s at %s does not forward /healthz within 20s:\n%s", b.Kind, listen, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// haproxyConfig balances stateless requests round-robin and pins each legacy session to the
// replica that opened it: the stick table learns Mcp-Session-Id from the initialize answer and
// matches it on later requests. Requests without the header (the 2026-07-28 protocol, and
// initialize) match nothing and go round-robin. Replicas are health-checked on /healthz.
func haproxyConfig(listen string, backends []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn 512

defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s

frontend mcp
    bind %s
    default_backend replicas

backend replicas
    balance roundrobin
    stick-table type string len 128 size 100k expire 30m
    stick store-response res.hdr(Mcp-Session-Id)
    stick match req.hdr(Mcp-Session-Id)
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
`, listen)
	for i, addr := range backends {
		fmt.Fprintf(&b, "    server replica%d %s check inter 1s fall 5\n", i, addr)
	}
	return b.String()
}

// nginxConfig balances by a consistent hash of Mcp-Session-Id, which nginx replaces by
// round-robin when the header is absent (every 2026-07-28 request). That is not enough for
// legacy sessions (tried: the request after initialize hashes to another replica and gets 404),
// so tests skip the legacy session under nginx. One process (master_process off), so killing it
// ends it; responses are not buffered, so SSE progress reaches the client as it is sent.
func nginxConfig(listen string, backends []string, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    upstream replicas {
        hash $http_mcp_session_id consistent;
`, dir)
	for _, addr := range backends {
		fmt.Fprintf(&b, "        server %s;\n", addr)
	}
	fmt.Fprintf(&b, `        keepalive 16;
    }
    server {
        listen %s;
        location / {
            proxy_pass http://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_buffering off;
            proxy_read_timeout 120s;
        }
    }
}
`, listen)
	return b.String()
}

// freeLoopbackAddr returns a loopback host:port that was free a moment ago, for a process that
// takes its port from a configuration file.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// hostPort is the host:port of an http URL.
func hostPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
