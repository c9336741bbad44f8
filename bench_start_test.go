package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// remoteEnv points the server at a closed loopback port: nothing listens there, so the background
// credential check fails at once and start-up never waits on the network.
var remoteEnv = []string{"ETLWORKS_URL=http://127.0.0.1:9/rest", "ETLWORKS_API_KEY=bench"}

// BenchmarkColdStartVsMinimal compares spawning the binary until its initialize answer with the
// same for a minimal mcp-go stdio server with one tool (scripts/bench/minimal), built in the same
// run, and with that server built with -tags libraries: linking the libraries etlworks-mcp needs,
// whose package initialisation is a floor no start-up change of ours can go under. The three
// alternate within one loop so that load on the machine hits them alike; it reports each p50 and
// the ratios to the minimal server. Run it with
//
//	go test -run '^$' -bench ColdStartVsMinimal -benchtime 200x .
func BenchmarkColdStartVsMinimal(b *testing.B) {
	minimal, floor := buildMinimal(b, ""), buildMinimal(b, "libraries")
	home := b.TempDir()
	var ours, base, libs []time.Duration
	for b.Loop() {
		ours = append(ours, spawnInitialize(b, binary, home, remoteEnv, 0).elapsed)
		base = append(base, spawnInitialize(b, minimal, home, nil, 0).elapsed)
		libs = append(libs, spawnInitialize(b, floor, home, nil, 0).elapsed)
	}
	o, m, l := median(ours), median(base), median(libs)
	b.ReportMetric(ms(o), "ours-p50-ms")
	b.ReportMetric(ms(m), "minimal-p50-ms")
	b.ReportMetric(ms(l), "libraries-p50-ms")
	b.ReportMetric(float64(o)/float64(m), "ratio-p50")
	b.ReportMetric(float64(l)/float64(m), "libraries-ratio-p50")
}

// BenchmarkIdleRSS reports the peak resident set (VmHWM) of the binary, of the minimal mcp-go
// server and of that server with the libraries linked, once each has answered initialize and sat
// idle for a second (the background credential check has then failed against a closed port). Run
// it with
//
//	go test -run '^$' -bench IdleRSS -benchtime 10x .
func BenchmarkIdleRSS(b *testing.B) {
	minimal, floor := buildMinimal(b, ""), buildMinimal(b, "libraries")
	home := b.TempDir()
	var ours, base, libs []time.Duration // KiB, sorted as durations for median
	for b.Loop() {
		ours = append(ours, time.Duration(spawnInitialize(b, binary, home, remoteEnv, time.Second).hwmKiB))
		base = append(base, time.Duration(spawnInitialize(b, minimal, home, nil, time.Second).hwmKiB))
		libs = append(libs, time.Duration(spawnInitialize(b, floor, home, nil, time.Second).hwmKiB))
	}
	o, m, l := float64(median(ours))/1024, float64(median(base))/1024, float64(median(libs))/1024
	b.ReportMetric(o, "ours-MiB")
	b.ReportMetric(m, "minimal-MiB")
	b.ReportMetric(l, "libraries-MiB")
	b.ReportMetric(o/m, "ratio")
}

// buildMinimal builds scripts/bench/minimal with the toolchain and flags of the binary under test,
// and the given build tags ("" for none).
func buildMinimal(b *testing.B, tags string) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), "minimal")
	build := exec.Command("go", "build", "-tags", tags, "-o", out, "./scripts/bench/minimal")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build the minimal server: %v\n%s", err, msg)
	}
	return out
}

// started is one spawn: the time to the initialize answer, and the peak RSS read after idling.
type started struct {
	elapsed time.Duration
	hwmKiB  int64
}

// spawnInitialize starts bin, sends initialize and times the answer; with idle > 0 it then waits
// that long and reads the process's VmHWM before closing stdin.
func spawnInitialize(b *testing.B, bin, home string, env []string, idle time.Duration) started {
	b.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"HOME=" + home}, env...)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`+"\n")
	line, err := bufio.NewReader(out).ReadString('\n')
	s := started{elapsed: time.Since(start)}
	if err != nil || !strings.Contains(line, `"serverInfo"`) {
		b.Fatalf("%s: no initialize response: %v %q", bin, err, line)
	}
	if idle > 0 {
		time.Sleep(idle)
		s.hwmKiB = vmHWM(b, cmd.Process.Pid)
	}
	in.Close()
	cmd.Wait()
	return s
}

// vmHWM reads a process's peak resident set size in KiB from /proc.
func vmHWM(b *testing.B, pid int) int64 {
	b.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc on this system: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatalf("VmHWM line %q: %v", line, err)
			}
			return kib
		}
	}
	b.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

func median(samples []time.Duration) time.Duration {
	s := slices.Clone(samples)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
