//go:build !(linux || darwin || freebsd)

package sandbox

// diskSpace is unknown on this platform; /health reports zeros.
func diskSpace(string) (free, total uint64) { return 0, 0 }
