// Command httpload measures HTTP get_flow calls per second at N concurrent MCP sessions against
// the sandbox's own raw REST GET of the same flow at N connections, in one run, and prints both and
// their ratio. A warm get_flow makes one REST request (the flow's GET; its triggers come from the
// server's per-credential indexes), so the raw GET is also its REST work. Processes are pinned
// with taskset (without it the figures are marked unpinned), this load generator always to core 1.
// On two cores -layout says where the rest go: shared puts the sandbox and the MCP server on core
// 0, so the ratio is what the MCP layer costs on top of the REST work on one core; split gives the
// sandbox core 0 to itself, as a real Etlworks has its own machine, and runs the MCP server on
// core 1 beside the load generator.
//
//	go build -o /tmp/etlworks-mcp . && go run ./scripts/bench/httpload -bin /tmp/etlworks-mcp -layout split
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

func main() {
	bin := flag.String("bin", "", "the etlworks-mcp binary to measure (required)")
	sessions := flag.Int("sessions", 32, "concurrent MCP sessions, and REST connections")
	duration := flag.Duration("duration", 4*time.Second, "length of each measured phase")
	rounds := flag.Int("rounds", 3, "REST and MCP phases each, alternating; medians are reported")
	flowArg := flag.String("flow", "1", "get_flow's flow argument; the REST GET reads /v1/flows/1")
	layout := flag.String("layout", "shared", "shared: sandbox and server on core 0; split: sandbox on core 0, server on core 1")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "httpload: -bin is required (build the binary first)")
		os.Exit(2)
	}
	serverCore, ok := map[string]string{"shared": "0", "split": "1"}[*layout]
	if !ok {
		fmt.Fprintf(os.Stderr, "httpload: -layout must be shared or split, got %q\n", *layout)
		os.Exit(2)
	}
	if err := pinSelf(); err != nil {
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(1)
	}
	if err := measure(*bin, serverCore, *sessions, *duration, *rounds, *flowArg); err != nil {
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(1)
	}
}

// pinned says whether taskset is installed to pin the processes to cores.
var pinned = func() bool { _, err := exec.LookPath("taskset"); return err == nil }()

// pinSelf re-runs this program on core 1 unless it already runs there.
func pinSelf() error {
	if !pinned || os.Getenv("HTTPLOAD_PINNED") != "" {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command("taskset", append([]string{"-c", "1", self}, os.Args[1:]...)...)
	cmd.Env = append(os.Environ(), "HTTPLOAD_PINNED=1")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		return err
	}
	os.Exit(0)
	return nil
}

// onCore starts bin with args on the given core.
func onCore(core, bin string, args ...string) *exec.Cmd {
	if !pinned {
		return exec.Command(bin, args...)
	}
	return exec.Command("taskset", append([]string{"-c", core, bin}, args...)...)
}

func measure(bin, serverCore string, sessions int, duration time.Duration, rounds int, flowArg string) error {
	home, err := os.MkdirTemp("", "httpload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	sbAddr, mcpAddr := freeAddr(), freeAddr()
	sb := onCore("0", bin, "sandbox", "--addr", sbAddr)
	sb.Env = []string{"HOME=" + home}
	out, _ := sb.StdoutPipe()
	if err := sb.Start(); err != nil {
		return err
	}
	defer stop(sb)
	key, err := apiKey(out)
	if err != nil {
		return err
	}
	restURL := "http://" + sbAddr + "/rest"
	srv := onCore(serverCore, bin, "--http", mcpAddr)
	srv.Env = []string{"HOME=" + home, "ETLWORKS_URL=" + restURL, "ETLWORKS_API_KEY=" + key}
	if err := srv.Start(); err != nil {
		return err
	}
	defer stop(srv)
	if err := waitHealthy("http://" + mcpAddr + "/healthz"); err != nil {
		return err
	}
	clients, err := openSessions("http://"+mcpAddr+"/mcp", sessions)
	if err != nil {
		return err
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_flow"
	req.Params.Arguments = map[string]any{"flow": flowArg}
	mcpCall := func(i int) error {
		res, err := clients[i].CallTool(context.Background(), req)
		if err == nil && res.IsError {
			err = fmt.Errorf("get_flow: %v", res.Content)
		}
		return err
	}
	restCall := restCaller(key, sessions, restURL+"/v1/flows/1")
	// Warm both paths (connections, caches, the credential check) before measuring.
	if _, err := run(restCall, sessions, time.Second); err != nil {
		return err
	}
	if _, err := run(mcpCall, sessions, time.Second); err != nil {
		return err
	}
	var restRates, mcpRates []float64
	for r := range rounds {
		rr, err := run(restCall, sessions, duration)
		if err != nil {
			return err
		}
		mr, err := run(mcpCall, sessions, duration)
		if err != nil {
			return err
		}
		restRates, mcpRates = append(restRates, rr), append(mcpRates, mr)
		fmt.Printf("round %d: REST GET %.0f calls/s, MCP get_flow %.0f calls/s\n", r+1, rr, mr)
	}
	rest, mcpRate := median(restRates), median(mcpRates)
	pin := map[string]string{"0": "server and sandbox pinned to core 0, load generator to core 1",
		"1": "sandbox pinned to core 0, server and load generator to core 1"}[serverCore]
	if !pinned {
		pin = "NOT pinned: taskset is not installed"
	}
	fmt.Printf("%d sessions, %d rounds of %s (%s):\n", sessions, rounds, duration, pin)
	fmt.Printf("  MCP get_flow over HTTP: %.0f calls/s (median)\n  sandbox REST GET /v1/flows/1: %.0f calls/s (median)\n  ratio: %.3f\n",
		mcpRate, rest, mcpRate/rest)
	return nil
}

// run calls call from n goroutines (goroutine i passes i) for d and returns calls per second.
func run(call func(i int) error, n int, d time.Duration) (float64, error) {
	var done atomic.Int64
	var failure atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if err := call(i); err != nil {
					failure.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if err, _ := failure.Load().(error); err != nil {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// restCaller GETs urls in turn, each goroutine on its own keep-alive connection to the sandbox.
func restCaller(key string, n int, urls ...string) func(i int) error {
	clients := make([]*http.Client, n)
	for i := range clients {
		clients[i] = &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
	}
	return func(i int) error {
		for _, url := range urls {
			if err := get(clients[i], url, key); err != nil {
				return err
			}
		}
		return nil
	}
}

func get(c *http.Client, url, key string) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

func openSessions(url string, n int) ([]*mcpclient.Client, error) {
	var out []*mcpclient.Client
	for range n {
		c, err := mcpclient.NewStreamableHttpClient(url)
		if err != nil {
			return out, err
		}
		if err := c.Start(context.Background()); err != nil {
			return out, err
		}
		init := mcp.InitializeRequest{}
		init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
		init.Params.ClientInfo = mcp.Implementation{Name: "httpload", Version: "1"}
		if _, err := c.Initialize(context.Background(), init); err != nil {
			return out, fmt.Errorf("initialize: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// apiKey reads the sandbox command's banner up to its "API key:" line.
func apiKey(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "API key:"); ok {
			go io.Copy(io.Discard, r)
			return strings.TrimSpace(rest), nil
		}
	}
	return "", fmt.Errorf("the sandbox printed no API key line: %v", sc.Err())
}

func waitHealthy(url string) error {
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("%s did not answer within 15s", url)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
