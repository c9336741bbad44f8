// Package secrets owns the one rule of etlworks-mcp for what counts as a credential: which keys
// name one, which values and which shapes in free text carry one, and which exact values (the
// server's own API key, password and tokens) must never be echoed. Everything a model or a log
// line sees passes through it: tools, resources, prompts, the Etlworks client and the logger.
//
// The package is a leaf: it imports only the standard library, so the client, which never
// imports mcp-go, can use it too.
package secrets

import (
	"strings"
	"unicode"
)

// Mask is what a masked value looks like, as the Etlworks UI shows a stored secret. A value equal
// to Mask is never treated as a secret: sending it back to Etlworks means "keep the stored one".
const Mask = "********"

// Redacted replaces a credential found inside free text.
const Redacted = "[REDACTED]"

// secretParts make a key secret wherever they appear in its words joined together
// ("dbPassword", "aws_access_key_id", "x-api-key", "SharedAccessSignature").
var secretParts = []string{
	"password", "passwd", "passphrase", "pwd", "secret", "token", "credential", "authorization",
	"cookie", "apikey", "accesskey", "privatekey", "connectionstring", "connstring", "connstr",
	"accountkey", "sharedkey", "signingkey", "encryptionkey", "masterkey", "sessionkey", "clientkey",
	"sharedaccess", "sastoken", "sessionid", "bearer",
}

// lastWords make a key secret when they are its last word ("db_pass", "basic_auth", "sas", "sig").
// They are too common inside other words ("bypass", "authType") to match anywhere.
var lastWords = map[string]bool{
	"pass": true, "pw": true, "auth": true, "sig": true, "sas": true, "signature": true,
	"jwt": true, "hmac": true, "otp": true, "key": true,
}

// schemaKeys are words that, before "key", name a data-modelling key rather than a credential
// ("primary_key", "sortKey", "partition_key", "routing_key").
var schemaKeys = map[string]bool{
	"primary": true, "foreign": true, "unique": true, "sort": true, "sorting": true, "partition": true,
	"partitioning": true, "cluster": true, "clustering": true, "distribution": true, "dist": true,
	"shard": true, "sharding": true, "natural": true, "surrogate": true, "composite": true,
	"candidate": true, "business": true, "merge": true, "upsert": true, "dedup": true, "dedupe": true,
	"deduplication": true, "join": true, "lookup": true, "match": true, "matching": true, "order": true,
	"group": true, "index": true, "row": true, "record": true, "hash": true, "range": true,
	"object": true, "message": true, "routing": true, "event": true, "cache": true, "map": true,
	"parent": true, "child": true, "entity": true, "sequence": true, "compare": true, "update": true,
	"delta": true, "cdc": true, "incremental": true, "idempotency": true, "column": true, "table": true,
}

// notSecret are names (words joined) that contain a secret word but hold none: the confirmation
// token this server issues for the model to pass back, an MCP progress token, an OAuth token type.
var notSecret = map[string]bool{
	"confirmtoken": true, "progresstoken": true, "tokentype": true, "tokenurl": true, "tokenendpoint": true,
	"authtype": true,
}

// IsSecretKey reports whether a property, parameter or header name looks like it holds a
// credential: password, pwd, passphrase, secret, token, API/access/private key, connection string,
// cookie, credential, authorization, sig, sas, and "key" as the last word unless it names a
// schema key (primary_key, sort_key). Case, camelCase and separators (_ - . space) do not matter.
func IsSecretKey(key string) bool {
	words := splitWords(key)
	if len(words) == 0 {
		return false
	}
	joined := strings.Join(words, "")
	if n := len(words); notSecret[joined] || (n >= 2 && notSecret[words[n-2]+words[n-1]]) {
		return false // also under a prefix: field.connection.template.tokenType
	}
	for _, p := range secretParts {
		if strings.Contains(joined, p) {
			return true
		}
	}
	last := words[len(words)-1]
	if !lastWords[last] {
		return false
	}
	if last == "key" && len(words) > 1 && schemaKeys[words[len(words)-2]] {
		return false
	}
	return true
}

// splitWords lower-cases a key and splits it into words at separators and camelCase boundaries:
// "field.connection.template.sshPassphrase" -> field connection template ssh passphrase;
// "APIKey" -> api key.
func splitWords(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}
