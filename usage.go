package main

import (
	"strings"

	"github.com/etlworks/etlworks-mcp/config"
)

//go:generate go test -run TestREADMEIsGenerated -update-readme .

// usage is the --help text: synopsis, subcommands, then every setting from config's one table.
func usage() string {
	var b strings.Builder
	b.WriteString(`etlworks-mcp: an MCP server for the Etlworks data-integration platform.

Usage:
  etlworks-mcp [flags]                         serve MCP over stdio (or streamable HTTP with --http ADDR)
  etlworks-mcp --sandbox [flags]               serve MCP against the embedded demo Etlworks (no setup)
  etlworks-mcp sandbox [--addr 127.0.0.1:8080] run only the demo Etlworks API, for curl
  etlworks-mcp call TOOL ['{"json":"args"}'] [flags]
                                               run one tool and print its result
  etlworks-mcp doctor [--report FILE] [flags]  check the configuration, URL, TLS, credential, health and
                                               optional capabilities; --report writes what each endpoint answered
  etlworks-mcp version                         print the version (also --version)
  etlworks-mcp help                            print this help (also --help)

Connect it to Etlworks with ETLWORKS_URL (the .../rest base) and ETLWORKS_API_KEY, or
ETLWORKS_USERNAME and ETLWORKS_PASSWORD.

`)
	b.WriteString(config.Usage())
	return b.String()
}
