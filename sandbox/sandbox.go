// Package sandbox is an embedded, Etlworks-compatible REST API backed by SQLite. It serves the
// demo mode (etlworks-mcp --sandbox), the standalone "etlworks-mcp sandbox" command and every test,
// so that the client and tools meet the same contract as the real service without a network.
//
// Runs are real: flows move data between embedded SQLite databases and a local folder, the two
// seeded failing flows fail with genuine errors, and the log, execution record and audit trail
// follow the run as it happens. See ../shared/etlworks-api.md for the contract.
package sandbox

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Sandbox. The zero value gives an in-memory sandbox with realistic pacing.
type Options struct {
	DataDir  string        // "" = state in memory, demo databases in a temp dir removed by Close
	TokenTTL time.Duration // JWT lifetime; 0 = 10 minutes
	RunStep  time.Duration // pacing of one run stage; 0 = 400ms (a run takes a few seconds); tests use ~10ms
	Logger   *slog.Logger  // nil = discard; used as given, so the caller adds component=sandbox
	// Profile is ProfileDocumented (only what public Etlworks documentation shows) or
	// ProfileExtended (also our own [I] endpoints and fields); "" = ProfileExtended.
	Profile string
}

// Credentials are what a client needs to talk to the sandbox as the demo user, plus the answer
// to the seeded CRM puzzle, so demos and tests can script both sides.
type Credentials struct {
	URL         string // the .../rest base, set by Start
	Login       string // "alice" (Administrator)
	Password    string
	APIKey      string // alice's API key
	CRMPassword string // the right password of the "CRM database" connection
	// Users are the demo users with an API key each, one per role (alice, bob, carol, victor),
	// so multi-user setups (a server forwarding each caller's key) can be tried and tested.
	Users []DemoUser
}

// DemoUser is one seeded sandbox user and its API key (a secret: never log it).
type DemoUser struct {
	Login  string // "alice", "bob", "carol", "victor"
	Role   string // "Administrator", "Operator", "Editor", "Viewer"
	APIKey string
}

// demoUsers are the logins Credentials.Users lists, one per role, strongest first.
var demoUsers = []string{demoLogin, "bob", "carol", "victor"}

// Sandbox is one running Etlworks stand-in: state database, demo data, run engine and HTTP handler.
type Sandbox struct {
	opts     Options
	prof     profile
	log      *slog.Logger
	st       *store
	eng      *engine
	dbs      *dbPool
	root     string
	tempRoot bool
	jwtKey   []byte
	creds    Credentials
	handler  http.Handler
	auto     *automation // scheduler and webhooks; set by startAutomation

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// New opens (or creates and seeds) a sandbox. With Options.DataDir the state and demo databases
// live there and are seeded only the first time; otherwise everything is temporary.
func New(opts Options) (*Sandbox, error) {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 10 * time.Minute
	}
	if opts.RunStep <= 0 {
		opts.RunStep = 400 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	prof, err := resolveProfile(opts.Profile)
	if err != nil {
		return nil, err
	}
	opts.Profile = prof.name
	s := &Sandbox{opts: opts, prof: prof, log: opts.Logger, dbs: newDBPool()}
	if err := s.open(context.Background()); err != nil {
		s.release()
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// open prepares the data directory, state database, seed, credentials and engine.
func (s *Sandbox) open(ctx context.Context) error {
	statePath := ""
	if s.opts.DataDir != "" {
		if err := os.MkdirAll(s.opts.DataDir, 0o700); err != nil {
			return fmt.Errorf("sandbox data dir: %w", err)
		}
		s.root, statePath = s.opts.DataDir, filepath.Join(s.opts.DataDir, "state.db")
	} else {
		dir, err := os.MkdirTemp("", "etlworks-sandbox-*")
		if err != nil {
			return fmt.Errorf("sandbox temp dir: %w", err)
		}
		s.root, s.tempRoot = dir, true
	}
	st, err := openStore(ctx, statePath)
	if err != nil {
		return err
	}
	s.st = st
	if err := migrateAutomation(ctx, st.db); err != nil {
		return err
	}
	if err := seedOnce(ctx, st, s.dbs, s.root, time.Now(), s.log); err != nil {
		return fmt.Errorf("seed sandbox: %w", err)
	}
	if err := st.markInterrupted(ctx, time.Now().UnixMilli()); err != nil {
		return err
	}
	key, err := st.setting(ctx, settingJWTKey)
	if err != nil {
		return fmt.Errorf("jwt key: %w", err)
	}
	if s.jwtKey, err = base64.StdEncoding.DecodeString(key); err != nil {
		return fmt.Errorf("jwt key: %w", err)
	}
	alice, err := st.userByLogin(ctx, demoLogin)
	if err != nil {
		return fmt.Errorf("demo user: %w", err)
	}
	_, crmPassword, err := st.dbAccount(ctx, crmDatabaseFile)
	if err != nil {
		return fmt.Errorf("crm account: %w", err)
	}
	s.creds = Credentials{Login: alice.Login, Password: alice.Password, APIKey: alice.APIKey, CRMPassword: crmPassword}
	for _, login := range demoUsers {
		u, err := st.userByLogin(ctx, login)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", login, err)
		}
		s.creds.Users = append(s.creds.Users, DemoUser{Login: u.Login, Role: u.Role, APIKey: u.APIKey})
	}
	s.eng = newEngine(st, s.log, s.opts.RunStep, s.root, s.dbs, alice.TenantName)
	if err := s.startAutomation(ctx); err != nil {
		return err
	}
	s.log.Info("sandbox ready", "profile", s.prof.name, "dataDir", s.root, "persistent", !s.tempRoot)
	return nil
}

// Handler serves /rest/..., the legacy /plugins/... aliases and /health.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Credentials returns the demo login, its API key and the CRM password; URL is set only by Start.
func (s *Sandbox) Credentials() Credentials {
	c := s.creds
	c.Users = append([]DemoUser(nil), s.creds.Users...) // the caller may keep or change its copy
	return c
}

// Close cancels active runs, waits until each has stored its final state, then closes the
// databases and removes temporary data. It is safe to call more than once.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.eng != nil {
			s.eng.close()
		}
		if s.auto != nil {
			s.auto.close()
		}
		s.closeErr = s.release()
	})
	return s.closeErr
}

// release closes whatever open managed to create.
func (s *Sandbox) release() error {
	var errs []error
	errs = append(errs, s.dbs.close())
	if s.st != nil {
		errs = append(errs, s.st.close())
	}
	if s.tempRoot {
		errs = append(errs, os.RemoveAll(s.root))
	}
	return errors.Join(errs...)
}
