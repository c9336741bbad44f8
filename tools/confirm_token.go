package tools

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A confirmation is a signed, single-use statement "the user agreed to this tool call on this
// target as it stood then". It travels as a confirm_token (clients without elicitation) or as the
// requestState of an elicitation (clients with it), in one format:
//
//	<kind>.<key id>.<instance|->.<expiry>.<nonce>.<state digest|->.<mac>
//
// kind separates the two uses, so one cannot stand in for the other. The key id names the key
// that signed it, so a token from a server with another key is recognised as such. A target with
// state (a flow, a connection, a schedule, a webhook) is bound by a digest of that state, so an
// edit or a restore voids the token, and it works on any replica sharing the key; a target
// without state (an SQL write) is bound to the issuing process by its instance id instead. The
// MAC covers every field, the tool and its arguments. Spent nonces are remembered until their
// token expires, so each confirmation allows one call.
const (
	kindToken  = "c1" // a confirm_token echoed by the model
	kindElicit = "e1" // the requestState of an elicitation answered by the client

	maxTokenLen = 256 // real tokens are about 100 characters
	noBinding   = "-"
)

// confirmation errors; the messages are what the model reads.
var (
	errForeign = errors.New("this confirmation came from another server instance or has expired")
	errSpent   = errors.New("this confirmation was already used: each one allows a single call")
)

// confirmation is a parsed confirm token or request state.
type confirmation struct {
	kind, kid, instance, exp, nonce, state string
	mac                                    []byte
	expires                                time.Time
}

func (t confirmation) payload() string {
	return strings.Join([]string{t.kind, t.kid, t.instance, t.exp, t.nonce, t.state}, ".")
}

func parseToken(s string) (confirmation, bool) {
	if len(s) > maxTokenLen {
		return confirmation{}, false
	}
	f := strings.Split(s, ".")
	if len(f) != 7 {
		return confirmation{}, false
	}
	unix, err := strconv.ParseInt(f[3], 10, 64)
	mac, err2 := base64.RawURLEncoding.DecodeString(f[6])
	if err != nil || err2 != nil || f[4] == "" {
		return confirmation{}, false
	}
	return confirmation{kind: f[0], kid: f[1], instance: f[2], exp: f[3], nonce: f[4], state: f[5], mac: mac,
		expires: time.Unix(unix, 0)}, true
}

// signer issues and verifies confirmations with one key.
type signer struct {
	key      []byte
	kid      string // names the key without revealing it
	instance string // random per process
	now      func() time.Time
	spent    *spentSet
}

func newSigner(key []byte, maxSpent int) *signer {
	if len(key) == 0 {
		key = randomBytes(32)
	}
	s := &signer{key: key, instance: b64(randomBytes(12)), now: time.Now, spent: newSpentSet(maxSpent)}
	s.kid = b64(s.sum("key id")[:6])
	return s
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("tools: no randomness for confirmations: %v", err)) // crypto/rand does not fail on supported systems
	}
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// sum is the HMAC of the parts, each on its own line (none holds a raw newline).
func (s *signer) sum(parts ...string) []byte {
	h := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return h.Sum(nil)
}

// stateDigest names a target's state without revealing it; noBinding for a target without state.
func (s *signer) stateDigest(target json.RawMessage) string {
	if len(bytes.TrimSpace(target)) == 0 {
		return noBinding
	}
	return b64(s.sum("state", canonicalState(target))[:12])
}

// mac signs a confirmation for one call: the tool, its arguments and who makes it (a hash of the
// caller's Etlworks credential), so a confirmation issued to one caller never confirms another's.
func (s *signer) mac(t confirmation, tool, who string, args map[string]any) []byte {
	return s.sum(t.payload(), tool, canonicalArgs(args), "caller "+who)[:16]
}

// issue signs a confirmation of kind for this tool call, made by the caller who, on a target
// whose digest is state.
func (s *signer) issue(kind, tool, who string, args map[string]any, state string) string {
	t := confirmation{kind: kind, kid: s.kid, instance: noBinding, exp: strconv.FormatInt(s.now().Add(confirmTTL).Unix(), 10),
		nonce: b64(randomBytes(12)), state: state}
	if state == noBinding {
		t.instance = s.instance
	}
	return t.payload() + "." + b64(s.mac(t, tool, who, args))
}

// redeem checks a confirmation against the call it came back with (made by the caller who) and
// spends it. field names where it came from, for the messages.
func (s *signer) redeem(kind, field, raw, tool, who string, args map[string]any, state string) error {
	again := "call " + tool + " again without " + field
	t, ok := parseToken(raw)
	if !ok || t.kind != kind {
		if kind == kindElicit {
			return fmt.Errorf("the confirmation answer in inputResponses does not answer a question this server asked "+
				"(no valid requestState came with it); %s and answer the question it asks", again)
		}
		return fmt.Errorf("%q is not a token this server issued; %s to get one", field, again)
	}
	if t.kid != s.kid || (t.instance != noBinding && t.instance != s.instance) {
		return fmt.Errorf("%w: call again without %s", errForeign, field)
	}
	if !hmac.Equal(t.mac, s.mac(t, tool, who, args)) {
		return fmt.Errorf("%q does not match these arguments, or was issued to another caller's key; the arguments must be exactly those of the call that issued it, made with the same key", field)
	}
	now := s.now()
	if now.After(t.expires) {
		return fmt.Errorf("%q has expired; %s to get a new one", field, again)
	}
	if t.state != state {
		return fmt.Errorf("the target changed after this confirmation was issued (edited, restored or replaced): "+
			"%s to confirm it as it is now", again)
	}
	return s.spent.spend(t.nonce, t.expires, now, again)
}

// canonicalArgs is the arguments without a confirm token, as JSON with sorted keys, so the same
// arguments always give the same bytes.
func canonicalArgs(args map[string]any) string {
	rest := make(map[string]any, len(args))
	for k, v := range args {
		if k != confirmField {
			rest[k] = v
		}
	}
	b, _ := json.Marshal(rest) // values came from JSON, so they encode
	return string(b)
}

// canonicalState is a target as Etlworks returns it, with sorted keys and without the top-level
// fields that change on their own (lastRunAt, lastRunStatus, nextRun, lastDelivery…), so a run
// or a delivery does not void a confirmation but an edit or a restore (new updatedAt, definition)
// does. Text that is not a JSON object is used as it is.
func canonicalState(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return string(raw)
	}
	for k := range obj {
		if strings.HasPrefix(k, "last") || strings.HasPrefix(k, "next") {
			delete(obj, k)
		}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return string(raw)
	}
	return string(b)
}

// spentSet remembers spent nonces until their token expires. It is bounded: when it is full of
// unexpired entries, new confirmations are refused rather than old ones forgotten, since
// forgetting one would let it be replayed.
type spentSet struct {
	mu    sync.Mutex
	max   int
	until map[string]time.Time
}

func newSpentSet(max int) *spentSet {
	return &spentSet{max: max, until: make(map[string]time.Time)}
}

func (s *spentSet) spend(nonce string, expires, now time.Time, again string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.until[nonce]; ok {
		return fmt.Errorf("%w; %s to confirm again", errSpent, again)
	}
	if len(s.until) >= s.max {
		for n, exp := range s.until {
			if now.After(exp) {
				delete(s.until, n) // an expired token is refused as expired: no need to remember it
			}
		}
	}
	if len(s.until) >= s.max {
		return fmt.Errorf("too many confirmations were used in the last %d minutes (the limit is %d); wait a few minutes, then %s",
			int(confirmTTL.Minutes()), s.max, again)
	}
	s.until[nonce] = expires
	return nil
}
