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
	"bytes"
	"encoding/json"
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

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/tidwall/gjson"
)

func main() {
	bin := flag.String("bin", "", "the etlworks-mcp binary to measure (required)")
	sessions := flag.Int("sessions", 32, "concurrent MCP sessions, and REST connections")
	duration := flag.Duration("duration", 2*time.Second, "length of each measured phase")
	rounds := flag.Int("rounds", 9, "rounds of a REST phase then an MCP phase; medians are reported")
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
	mcpURL := "http://" + mcpAddr + "/mcp"
	if err := waitHealthy("http://" + mcpAddr + "/healthz"); err != nil {
		return err
	}
	sessionIDs, err := openSessions(mcpURL, sessions)
	if err != nil {
		return err
	}
	mcpCall := mcpCaller(mcpURL, sessionIDs, flowArg)
	restCall := restCaller(key, sessions, restURL+"/v1/flows/1")
	// Warm both paths (connections, caches, the credential check) before measuring.
	if _, err := run(restCall, sessions, time.Second); err != nil {
		return err
	}
	if _, err := run(mcpCall, sessions, time.Second); err != nil {
		return err
	}
	// The machine's speed drifts from second to second (other tenants of the host), so each
	// round's two phases run back to back and the figure is the median of the rounds' own ratios;
	// the ratio of the medians is printed beside it.
	var restRates, mcpRates, ratios []float64
	for r := range rounds {
		rr, err := run(restCall, sessions, duration)
		if err != nil {
			return err
		}
		mr, err := run(mcpCall, sessions, duration)
		if err != nil {
			return err
		}
		restRates, mcpRates, ratios = append(restRates, rr), append(mcpRates, mr), append(ratios, mr/rr)
		fmt.Printf("round %d: REST GET %.0f calls/s, MCP get_flow %.0f calls/s, ratio %.3f\n", r+1, rr, mr, mr/rr)
	}
	rest, mcpRate := median(restRates), median(mcpRates)
	pin := map[string]string{"0": "server and sandbox pinned to core 0, load generator to core 1",
		"1": "sandbox pinned to core 0, server and load generator to core 1"}[serverCore]
	if !pinned {
		pin = "NOT pinned: taskset is not installed"
	}
	fmt.Printf("%d sessions, %d rounds of %s (%s):\n", sessions, rounds, duration, pin)
	fmt.Printf("  MCP get_flow over HTTP: %.0f calls/s (median)\n  sandbox REST GET /v1/flows/1: %.0f calls/s (median)\n"+
		"  ratio: %.3f (median of the rounds' ratios; ratio of the medians %.3f)\n", mcpRate, rest, median(ratios), mcpRate/rest)
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

// mcpCaller calls get_flow in session i with a raw JSON-RPC POST, each goroutine on its own
// keep-alive connection, as restCaller does for the REST GET: the two load generators cost alike,
// so the ratio compares the servers, not the clients (an SDK client decodes every result into
// typed content, which on two cores takes CPU from the server it measures). An answer counts
// only as a JSON-RPC result that is not a tool error.
func mcpCaller(url string, sessionIDs []string, flowArg string) func(i int) error {
	arg, _ := json.Marshal(flowArg)
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_flow","arguments":{"flow":` + string(arg) + `}}}`)
	clients := make([]*http.Client, len(sessionIDs))
	for i := range clients {
		clients[i] = &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
	}
	return func(i int) error {
		res, _, err := post(clients[i], url, sessionIDs[i], body)
		if err != nil {
			return err
		}
		if e := gjson.GetBytes(res, "error"); e.Exists() {
			return fmt.Errorf("get_flow: JSON-RPC error %s", e.Raw)
		}
		if !gjson.GetBytes(res, "result.content").Exists() || gjson.GetBytes(res, "result.isError").Bool() {
			return fmt.Errorf("get_flow: not a result: %.300s", res)
		}
		return nil
	}
}

// post sends one JSON-RPC message in a session ("" for none) and returns the JSON-RPC answer
// (taken from the data line of an event stream when the server answers with one) and the
// session id the server sent.
func post(c *http.Client, url, sessionID string, body []byte) ([]byte, string, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	if sessionID != "" {
		req.Header.Set("Mcp-Session-Id", sessionID)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	res, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode/100 != 2 {
		return nil, "", fmt.Errorf("POST %s: %s: %.300s", url, resp.Status, res)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		for line := range strings.Lines(string(res)) {
			if data, ok := strings.CutPrefix(line, "data:"); ok && gjson.Get(data, "id").Exists() {
				return []byte(data), resp.Header.Get("Mcp-Session-Id"), nil
			}
		}
		return nil, "", fmt.Errorf("POST %s: an event stream with no answer: %.300s", url, res)
	}
	return res, resp.Header.Get("Mcp-Session-Id"), nil
}

// openSessions initializes n sessions and returns their ids.
func openSessions(url string, n int) ([]string, error) {
	init := []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"` + mcp.LATEST_LEGACY_PROTOCOL_VERSION +
		`","capabilities":{},"clientInfo":{"name":"httpload","version":"1"}}}`)
	initialized := []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	c := &http.Client{}
	ids := make([]string, 0, n)
	for range n {
		res, id, err := post(c, url, "", init)
		if err != nil {
			return nil, fmt.Errorf("initialize: %w", err)
		}
		if !gjson.GetBytes(res, "result.serverInfo").Exists() || id == "" {
			return nil, fmt.Errorf("initialize: no session: %.300s", res)
		}
		if _, _, err := post(c, url, id, initialized); err != nil {
			return nil, fmt.Errorf("notifications/initialized: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
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
