package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v4"

	"github.com/etlworks/etlworks-mcp/config"
)

// clientSnippet matches a README code block marked with the client whose format it follows.
var clientSnippet = regexp.MustCompile("(?s)<!-- client: ([a-z-]+) -->\n```([a-z]+)\n(.*?)```")

// placeholder is what a person replaces in a snippet; a snippet must not use a syntax only some
// clients expand (VS Code's ${input:…} is allowed only in VS Code's own file).
const placeholder = "REPLACE_WITH_YOUR_"

// TestREADMEClientSnippets parses every client snippet in the README and checks it against the
// keys that client's documentation requires, and that the server arguments and environment each
// snippet passes are ones etlworks-mcp accepts.
func TestREADMEClientSnippets(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]func(string) error{
		"claude-desktop":   checkMCPServersJSON(false),
		"cursor":           checkMCPServersJSON(false),
		"windsurf":         checkMCPServersJSON(true),
		"vscode":           checkVSCodeJSON,
		"zed":              checkZedJSON,
		"codex-toml":       checkCodexTOML,
		"goose":            checkGooseYAML,
		"claude-code":      checkCLILines("claude mcp add", true),
		"claude-code-http": checkClaudeHTTPLine,
		"codex":            checkCLILines("codex mcp add", true),
		"gemini":           checkGeminiLines,
	}
	seen := map[string]bool{}
	for _, m := range clientSnippet.FindAllStringSubmatch(string(raw), -1) {
		client, body := m[1], m[3]
		check, ok := checks[client]
		if !ok {
			t.Errorf("README has a snippet for %q, which no check knows", client)
			continue
		}
		seen[client] = true
		if err := check(body); err != nil {
			t.Errorf("README snippet for %s: %v\n%s", client, err, body)
		}
	}
	for client := range checks {
		if !seen[client] {
			t.Errorf("README has no snippet for %s", client)
		}
	}
	for _, link := range []string{"https://vscode.dev/redirect/mcp/install?", "cursor://anysphere.cursor-deeplink/mcp/install?"} {
		if err := checkInstallLink(string(raw), link); err != nil {
			t.Errorf("install link %s…: %v", link, err)
		}
	}
}

// TestMCPJSONExample checks mcp.json.example in the mcpServers shape that Claude Desktop, Cursor,
// Claude Code (.mcp.json) and Gemini CLI read.
func TestMCPJSONExample(t *testing.T) {
	raw, err := os.ReadFile("mcp.json.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkMCPServersJSON(false)(string(raw)); err != nil {
		t.Fatal(err)
	}
}

// stdioServer is a server entry as most clients write it.
type stdioServer struct {
	Type      string            `json:"type" toml:"type"`
	Command   string            `json:"command" toml:"command"`
	Args      []string          `json:"args" toml:"args"`
	Env       map[string]string `json:"env" toml:"env"`
	URL       string            `json:"url" toml:"url"`
	ServerURL string            `json:"serverUrl"`
}

// checkServer checks that a stdio entry starts etlworks-mcp with arguments and environment the
// server accepts.
func checkServer(name string, s stdioServer) error {
	if s.Command != "etlworks-mcp" {
		return fmt.Errorf("%s: command is %q, want etlworks-mcp", name, s.Command)
	}
	return checkServerArgs(s.Args, s.Env)
}

// checkServerArgs loads the configuration the entry would start the server with.
func checkServerArgs(args []string, env map[string]string) error {
	for k, v := range env {
		if strings.Contains(v, "${") && !strings.HasPrefix(v, "${input:") {
			return fmt.Errorf("env %s uses a ${…} expansion not every client performs: %q", k, v)
		}
	}
	getenv := func(k string) string {
		v := env[k]
		if strings.HasPrefix(v, "${input:") {
			return "key-from-input"
		}
		return v
	}
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return fmt.Errorf("etlworks-mcp would refuse %v with %v: %v", args, env, err)
	}
	if !cfg.Sandbox && (env["ETLWORKS_URL"] == "" || env["ETLWORKS_API_KEY"] == "") {
		return fmt.Errorf("a real-instance entry needs ETLWORKS_URL and ETLWORKS_API_KEY, has %v", env)
	}
	if key := env["ETLWORKS_API_KEY"]; key != "" && !strings.HasPrefix(key, placeholder) && !strings.HasPrefix(key, "${input:") {
		return fmt.Errorf("ETLWORKS_API_KEY %q is neither an obvious placeholder nor a VS Code input", key)
	}
	return nil
}

// checkMCPServersJSON checks the {"mcpServers": {name: {command, args, env}}} shape; Windsurf also
// takes {"serverUrl": …} for HTTP.
func checkMCPServersJSON(serverURL bool) func(string) error {
	return func(body string) error {
		if strings.Contains(body, "${input:") {
			return fmt.Errorf("${input:…} is VS Code syntax; this client passes it literally")
		}
		var doc struct {
			MCPServers map[string]stdioServer `json:"mcpServers"`
		}
		if err := strictJSON(body, &doc); err != nil {
			return err
		}
		if len(doc.MCPServers) == 0 {
			return fmt.Errorf(`no "mcpServers" entries`)
		}
		for name, s := range doc.MCPServers {
			if serverURL && s.ServerURL != "" {
				if _, err := url.ParseRequestURI(s.ServerURL); err != nil || s.Command != "" {
					return fmt.Errorf("%s: serverUrl %q must be a URL and the only transport", name, s.ServerURL)
				}
				continue
			}
			if s.URL != "" || s.Type != "" {
				return fmt.Errorf("%s: url/type are not part of this client's stdio format", name)
			}
			if err := checkServer(name, s); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkVSCodeJSON checks .vscode/mcp.json: "servers" with a "type", and every ${input:id} declared.
func checkVSCodeJSON(body string) error {
	var doc struct {
		Inputs []struct {
			Type        string `json:"type"`
			ID          string `json:"id"`
			Description string `json:"description"`
			Password    bool   `json:"password"`
		} `json:"inputs"`
		Servers map[string]stdioServer `json:"servers"`
	}
	if err := strictJSON(body, &doc); err != nil {
		return err
	}
	if len(doc.Servers) == 0 {
		return fmt.Errorf(`VS Code reads "servers", found none`)
	}
	inputs := map[string]bool{}
	for _, in := range doc.Inputs {
		if in.Type != "promptString" || in.ID == "" || in.Description == "" {
			return fmt.Errorf("input %+v needs type promptString, an id and a description", in)
		}
		inputs[in.ID] = in.Password
	}
	for _, m := range regexp.MustCompile(`\$\{input:([^}]+)\}`).FindAllStringSubmatch(body, -1) {
		if secret, ok := inputs[m[1]]; !ok || !secret {
			return fmt.Errorf("${input:%s} has no password input declared", m[1])
		}
	}
	for name, s := range doc.Servers {
		if s.Type != "stdio" && s.Type != "http" {
			return fmt.Errorf(`%s: "type" must be stdio or http, got %q`, name, s.Type)
		}
		if s.Type == "stdio" {
			if err := checkServer(name, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkZedJSON checks Zed's "context_servers" entries.
func checkZedJSON(body string) error {
	var doc struct {
		ContextServers map[string]stdioServer `json:"context_servers"`
	}
	if err := strictJSON(body, &doc); err != nil {
		return err
	}
	if len(doc.ContextServers) == 0 {
		return fmt.Errorf(`Zed reads "context_servers", found none`)
	}
	for name, s := range doc.ContextServers {
		if err := checkServer(name, s); err != nil {
			return err
		}
	}
	return nil
}

// checkCodexTOML checks Codex's [mcp_servers.NAME] tables.
func checkCodexTOML(body string) error {
	var doc struct {
		MCPServers map[string]stdioServer `toml:"mcp_servers"`
	}
	md, err := toml.Decode(body, &doc)
	if err != nil {
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		return fmt.Errorf("keys Codex does not know: %v", und)
	}
	if len(doc.MCPServers) == 0 {
		return fmt.Errorf("no [mcp_servers.NAME] tables")
	}
	for name, s := range doc.MCPServers {
		if err := checkServer(name, s); err != nil {
			return err
		}
	}
	return nil
}

// checkGooseYAML checks Goose's "extensions" entries (type stdio, cmd, args, enabled).
func checkGooseYAML(body string) error {
	var doc struct {
		Extensions map[string]struct {
			Name    string            `yaml:"name"`
			Type    string            `yaml:"type"`
			Cmd     string            `yaml:"cmd"`
			Args    []string          `yaml:"args"`
			Enabled *bool             `yaml:"enabled"`
			Timeout int               `yaml:"timeout"`
			Envs    map[string]string `yaml:"envs"`
		} `yaml:"extensions"`
	}
	dec := yaml.NewDecoder(strings.NewReader(body))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	if len(doc.Extensions) == 0 {
		return fmt.Errorf("no extensions")
	}
	for key, e := range doc.Extensions {
		if e.Name != key || e.Type != "stdio" || e.Enabled == nil || e.Args == nil {
			return fmt.Errorf("%s: needs name (= the key), type stdio, args and enabled", key)
		}
		if err := checkServer(key, stdioServer{Command: e.Cmd, Args: e.Args, Env: e.Envs}); err != nil {
			return err
		}
	}
	return nil
}

// checkCLILines checks `claude mcp add` / `codex mcp add` lines: options and a name, then `--`
// and the server command.
func checkCLILines(prefix string, envFlag bool) func(string) error {
	return func(body string) error {
		for _, line := range snippetLines(body) {
			words, err := shellWords(line)
			if err != nil {
				return err
			}
			rest, ok := strings.CutPrefix(strings.Join(words[:min(3, len(words))], " "), prefix)
			if !ok || rest != "" {
				return fmt.Errorf("%q does not start with %q", line, prefix)
			}
			sep := slices.Index(words, "--")
			if sep < 0 || sep == len(words)-1 {
				return fmt.Errorf("%q: a stdio server goes after --", line)
			}
			env, names, err := cliOptions(words[3:sep], map[string]bool{"-e": envFlag, "--env": envFlag, "-s": false, "--scope": false})
			if err != nil {
				return fmt.Errorf("%q: %v", line, err)
			}
			if len(names) != 1 {
				return fmt.Errorf("%q: want exactly one server name before --, got %v", line, names)
			}
			if err := checkServer(names[0], stdioServer{Command: words[sep+1], Args: words[sep+2:], Env: env}); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkGeminiLines checks `gemini mcp add [-e K=V] NAME COMMAND [-- ARGS]`.
func checkGeminiLines(body string) error {
	for _, line := range snippetLines(body) {
		words, err := shellWords(line)
		if err != nil {
			return err
		}
		if len(words) < 5 || strings.Join(words[:3], " ") != "gemini mcp add" {
			return fmt.Errorf("%q: want gemini mcp add [options] NAME COMMAND [-- ARGS]", line)
		}
		args := words[3:]
		var serverArgs []string
		if sep := slices.Index(args, "--"); sep >= 0 {
			args, serverArgs = args[:sep], args[sep+1:]
		}
		env, positional, err := cliOptions(args, map[string]bool{"-e": true, "--env": true, "-s": false, "--scope": false})
		if err != nil {
			return fmt.Errorf("%q: %v", line, err)
		}
		if len(positional) != 2 {
			return fmt.Errorf("%q: want NAME and COMMAND, then any server arguments after --; got %v", line, positional)
		}
		if err := checkServer(positional[0], stdioServer{Command: positional[1], Args: serverArgs, Env: env}); err != nil {
			return err
		}
	}
	return nil
}

// checkClaudeHTTPLine checks `claude mcp add --transport http NAME URL [--header "K: V"]`.
func checkClaudeHTTPLine(body string) error {
	for _, line := range snippetLines(body) {
		words, err := shellWords(line)
		if err != nil {
			return err
		}
		if len(words) < 7 || strings.Join(words[:5], " ") != "claude mcp add --transport http" {
			return fmt.Errorf("%q: want claude mcp add --transport http NAME URL", line)
		}
		if u, err := url.ParseRequestURI(words[6]); err != nil || !strings.HasSuffix(u.Path, "/mcp") {
			return fmt.Errorf("%q: %q is not the server's /mcp URL", line, words[6])
		}
		for i := 7; i < len(words); i += 2 {
			if words[i] != "--header" || i+1 >= len(words) || !strings.Contains(words[i+1], ": ") {
				return fmt.Errorf("%q: after the URL only --header \"Name: value\" pairs", line)
			}
		}
	}
	return nil
}

// cliOptions splits option words into environment assignments (options that take K=V) and
// positional words, refusing options the snippet's client does not document.
func cliOptions(words []string, known map[string]bool) (map[string]string, []string, error) {
	env := map[string]string{}
	var positional []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			positional = append(positional, w)
			continue
		}
		isEnv, ok := known[w]
		if !ok || i+1 >= len(words) {
			return nil, nil, fmt.Errorf("option %s is not one this client documents, or has no value", w)
		}
		i++
		if isEnv {
			k, v, ok := strings.Cut(words[i], "=")
			if !ok {
				return nil, nil, fmt.Errorf("%s %s must be KEY=value", w, words[i])
			}
			env[k] = v
		}
	}
	return env, positional, nil
}

// checkInstallLink finds a one-click install link and checks the server config it carries.
func checkInstallLink(readme, prefix string) error {
	i := strings.Index(readme, prefix)
	if i < 0 {
		return fmt.Errorf("not in the README")
	}
	end := strings.IndexAny(readme[i:], ") \n")
	u, err := url.Parse(readme[i : i+end])
	if err != nil {
		return err
	}
	q := u.Query()
	raw := []byte(q.Get("config"))
	if strings.HasPrefix(prefix, "cursor:") {
		if raw, err = base64.StdEncoding.DecodeString(q.Get("config")); err != nil {
			return fmt.Errorf("config is not base64: %v", err)
		}
	}
	var s stdioServer
	if err := strictJSON(string(raw), &s); err != nil {
		return err
	}
	if q.Get("name") == "" {
		return fmt.Errorf("no name")
	}
	return checkServer(q.Get("name"), s)
}

// strictJSON decodes JSON, refusing keys the target does not know (a misspelt key would be
// silently ignored by the client).
func strictJSON(body string, v any) error {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// snippetLines are a shell snippet's command lines.
func snippetLines(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// shellWords splits a command line as a POSIX shell would for the quoting the README uses.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"' || c == '\'':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
